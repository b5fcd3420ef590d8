namespace Orchestra.Runtime.Health;

/// <summary>One bounded call of a probe: a probe may hang (a listener that accepts but never answers), so each attempt has a limit.</summary>
internal static class ProbeAttempt
{
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
