namespace Orchestra.Testing;

/// <summary>
/// Waits for a condition on real processes and files. The deadline only keeps a broken build from hanging the suite;
/// no test asserts how fast anything is. The pause between probes starts short, for the cheap in-memory checks that
/// are true almost at once, and grows, so that a probe that runs a command does not load a machine shared with others.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(50);

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? deadline = null) where T : class
    {
        var giveUp = DateTime.UtcNow + (deadline ?? Deadline);
        var pause = FirstPause;
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (DateTime.UtcNow > giveUp)
                throw new TimeoutException($"Gave up waiting for {what}.");
            await Task.Delay(pause);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }

    public static Task<T> ValueAsync<T>(Func<T?> probe, string what, TimeSpan? deadline = null) where T : class =>
        ValueAsync(() => Task.FromResult(probe()), what, deadline);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        ValueAsync(() => condition() ? "" : null, what, deadline);

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null) =>
        ValueAsync(async () => await condition() ? "" : null, what, deadline);

    /// <summary>A task the test awaits, failed with a <see cref="TimeoutException"/> instead of hanging past the deadline.</summary>
    public static Task<T> WithDeadline<T>(this Task<T> task) => task.WaitAsync(Deadline);

    /// <inheritdoc cref="WithDeadline{T}(Task{T})"/>
    public static Task WithDeadline(this Task task) => task.WaitAsync(Deadline);
}
