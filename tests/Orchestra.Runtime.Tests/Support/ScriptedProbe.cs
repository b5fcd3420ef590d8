using Orchestra.Runtime.Health;

namespace Orchestra.Runtime.Tests.Support;

/// <summary>An in-memory probe whose answer the test sets, and which tells the test each time it is asked.</summary>
public sealed class ScriptedProbe(bool watchesLiveness = true) : IHealthProbe
{
    private readonly SemaphoreSlim _calls = new(0);
    private volatile bool _passes;

    public bool WatchesLiveness => watchesLiveness;

    /// <summary>What the next checks answer.</summary>
    public bool Passes
    {
        set => _passes = value;
    }

    public Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        var answer = _passes;
        _calls.Release();
        return Task.FromResult(answer);
    }

    /// <summary>
    /// Advances <paramref name="clock"/> until the probe is asked once more. A check returns only after the one before
    /// it was acted upon, so this also tells that the previous answer has been handled. The advance is repeated only
    /// when it came before the caller waited on the clock again.
    /// </summary>
    public async Task NextCheckAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, TimeSpan step)
    {
        var asked = _calls.WaitAsync().WithDeadline();
        while (!asked.IsCompleted)
        {
            clock.Advance(step);
            await Task.WhenAny(asked, Task.Delay(TimeSpan.FromMilliseconds(20)));
        }
        await asked;
    }
}
