namespace Orchestra.Runtime.Health;

/// <summary>
/// Probes a replica until it is ready or <c>timeout</c> has passed. The first probes come quickly (20 ms apart,
/// doubling up to <c>interval</c>), because most services are ready within a few hundred milliseconds and
/// <c>start</c> returns only when they are.
/// </summary>
public sealed class HealthWaiter(TimeProvider time)
{
    /// <summary>True once the probe succeeds; false when the timeout passes first.</summary>
    public async Task<bool> WaitAsync(IHealthProbe probe, TimeSpan interval, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var pause = interval < FirstPause ? interval : FirstPause;
        while (true)
        {
            var left = deadline - time.GetUtcNow();
            // A probe may hang (a listener that accepts but never answers): bound each attempt.
            using var attemptTimeout = new CancellationTokenSource(Clamp(left, interval), time);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
            try
            {
                if (await probe.CheckAsync(attempt.Token))
                    return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            if (time.GetUtcNow() >= deadline)
                return false;
            await Task.Delay(Clamp(deadline - time.GetUtcNow(), pause), time, cancellationToken);
            pause = pause * 2 < interval ? pause * 2 : interval;
        }
    }

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(20);

    private static TimeSpan Clamp(TimeSpan left, TimeSpan interval) =>
        left <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : left < interval ? left : interval;
}
