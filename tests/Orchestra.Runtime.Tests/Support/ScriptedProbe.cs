using System.Threading.Channels;
using Orchestra.Runtime.Health;

namespace Orchestra.Runtime.Tests.Support;

/// <summary>
/// An in-memory probe whose answer the test sets. Each check waits until the test lets it answer
/// (<see cref="NextCheckAsync"/>), so the watcher never runs a check the test did not drive.
/// </summary>
public sealed class ScriptedProbe(bool watchesLiveness = true) : IHealthProbe
{
    private readonly Channel<TaskCompletionSource<bool>> _checks = Channel.CreateUnbounded<TaskCompletionSource<bool>>();
    private volatile bool _passes;

    public bool WatchesLiveness => watchesLiveness;

    /// <summary>What the next checks answer.</summary>
    public bool Passes
    {
        set => _passes = value;
    }

    /// <summary>
    /// Held until the test answers, as if answered at once: the attempt's time limit is not heeded, since the clock the
    /// test advances to reach this check may pass that limit before the test sees the check was asked.
    /// </summary>
    public Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _checks.Writer.TryWrite(answer);
        return answer.Task;
    }

    /// <summary>
    /// Advances <paramref name="clock"/> until the probe is asked once more, then answers with <see cref="Passes"/>.
    /// The advance is repeated only while nobody asked: when it came before the watcher waited on the clock again.
    /// A check is asked only after the one before it was acted upon, and is held until answered, so a repeated advance
    /// can never make a second check that the test did not answer, and this also tells that the previous answer has
    /// been handled.
    /// </summary>
    public async Task NextCheckAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, TimeSpan step)
    {
        var asked = _checks.Reader.ReadAsync().AsTask().WithDeadline();
        while (!asked.IsCompleted)
        {
            clock.Advance(step);
            await Task.WhenAny(asked, Task.Delay(TimeSpan.FromMilliseconds(20)));
        }
        (await asked).TrySetResult(_passes);
    }
}
