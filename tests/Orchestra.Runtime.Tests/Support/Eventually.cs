namespace Orchestra.Runtime.Tests.Support;

/// <summary>Waits for a condition on real processes. The deadline only guards against a hang; no test asserts how fast anything is.</summary>
public static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task<T> ValueAsync<T>(Func<T?> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            if (probe() is { } value)
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Gave up waiting for {what}.");
            await Task.Delay(10);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what) =>
        ValueAsync(() => condition() ? "" : null, what);

    public static Task<T> WithDeadline<T>(this Task<T> task) => task.WaitAsync(Deadline);

    public static Task WithDeadline(this Task task) => task.WaitAsync(Deadline);
}
