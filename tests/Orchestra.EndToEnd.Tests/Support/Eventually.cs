namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>
/// Waits for a condition on real processes. The deadline only keeps a broken build from hanging the suite; no test
/// asserts how fast anything is.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? deadline = null) where T : class
    {
        var giveUp = DateTime.UtcNow + (deadline ?? Deadline);
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (DateTime.UtcNow > giveUp)
                throw new TimeoutException($"Gave up waiting for {what}.");
            await Task.Delay(50);
        }
    }

    public static Task<T> ValueAsync<T>(Func<T?> probe, string what, TimeSpan? deadline = null) where T : class =>
        ValueAsync(() => Task.FromResult(probe()), what, deadline);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        ValueAsync(() => condition() ? "" : null, what, deadline);

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null) =>
        ValueAsync(async () => await condition() ? "" : null, what, deadline);
}
