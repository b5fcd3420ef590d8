namespace Orchestra.Runtime;

/// <summary>
/// A wake-up that is never lost: one set while nobody waits makes the next wait return at once. Set from any thread;
/// waited for by one loop at a time. What lets a loop sleep until there is work instead of looking every few ms.
/// </summary>
public sealed class WakeSignal
{
    private TaskCompletionSource _next = NewSource();

    public void Set() => Volatile.Read(ref _next).TrySetResult();

    /// <summary>Returns once set (and clears it), or after <paramref name="timeout"/> (infinite: only once set).</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _next);
        if (!current.Task.IsCompleted)
            await current.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        if (current.Task.IsCompleted)
            Interlocked.CompareExchange(ref _next, NewSource(), current);
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
