namespace Orchestra.Runtime.Health;

/// <summary>
/// Probes a replica until it is ready or <c>timeout</c> has passed. The first probes come quickly (20 ms apart,
/// doubling up to 100 ms, for the first 10 s), because most services are ready within a second and <c>start</c>
/// returns only when they are; after that, once per <c>interval</c>. (Doubling straight up to a 1 s interval left
/// probes 300, 620 and 1260 ms after the start, so an API ready at 700 ms was seen only at 1.26 s.)
/// </summary>
public sealed class HealthWaiter(TimeProvider time)
{
    /// <summary>True once the probe succeeds; false when the timeout passes first.</summary>
    public async Task<bool> WaitAsync(IHealthProbe probe, TimeSpan interval, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var began = time.GetUtcNow();
        var deadline = began + timeout;
        var pause = interval < FirstPause ? interval : FirstPause;
        while (true)
        {
            if (await ProbeAttempt.RunAsync(probe, Clamp(deadline - time.GetUtcNow(), interval), time, cancellationToken))
                return true;
            if (time.GetUtcNow() >= deadline)
                return false;
            await Task.Delay(Clamp(deadline - time.GetUtcNow(), pause), time, cancellationToken);
            var cap = time.GetUtcNow() - began < FastPhase && interval > FastPause ? FastPause : interval;
            pause = pause * 2 < cap ? pause * 2 : cap;
        }
    }

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FastPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FastPhase = TimeSpan.FromSeconds(10);

    private static TimeSpan Clamp(TimeSpan left, TimeSpan interval) =>
        left <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : left < interval ? left : interval;
}
