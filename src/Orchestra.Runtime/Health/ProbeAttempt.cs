namespace Orchestra.Runtime.Health;

/// <summary>One bounded call of a probe: a probe may hang (a listener that accepts but never answers), so each attempt has a limit.</summary>
internal static class ProbeAttempt
{
    /// <summary>
    /// The least time an attempt is given, however short the interval: a probe's answer takes time the replica does
    /// not control (a <c>docker exec</c> of <c>pg_isready</c> took 50 ms on a quiet machine and over 200 ms under load,
    /// so a vendor probed every 200 ms turned unhealthy while it served). Kubernetes' default probe timeout.
    /// </summary>
    public static readonly TimeSpan ShortestLimit = TimeSpan.FromSeconds(1);

    /// <summary>The limit of one attempt of a probe run every <paramref name="interval"/>.</summary>
    public static TimeSpan Limit(TimeSpan interval) => interval > ShortestLimit ? interval : ShortestLimit;

    /// <summary>The probe's answer, or false when it did not answer within <paramref name="limit"/>.</summary>
    public static async Task<bool> RunAsync(IHealthProbe probe, TimeSpan limit, TimeProvider time, CancellationToken cancellationToken)
    {
        using var attemptTimeout = new CancellationTokenSource(limit > TimeSpan.Zero ? limit : TimeSpan.FromMilliseconds(1), time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        try
        {
            return await probe.CheckAsync(attempt.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
