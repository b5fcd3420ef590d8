namespace Orchestra.Runtime.Health;

/// <summary>
/// Probes a replica until it is ready or <c>timeout</c> has passed. For the first 5 s it is probed every 50 ms (or
/// every <c>interval</c>, when that is shorter), because most services are ready within a second and <c>start</c>
/// returns only when they are: a replica is seen ready at most 50 ms after it is. After that the pause doubles up to
/// the <c>interval</c>. (A backoff from 20 ms doubling to 100 ms left up to 100 ms between a ready API and its
/// <c>healthy</c>; doubling straight to a 1 s interval, up to 640 ms.) When many replicas start at once, the fast
/// pause is that of their <see cref="StartingCrowd"/>, which shares one probe budget among them.
/// </summary>
public sealed class HealthWaiter(TimeProvider time, StartingCrowd crowd)
{
    /// <summary>The pause between probes of a starting replica.</summary>
    public static readonly TimeSpan FastPause = TimeSpan.FromMilliseconds(50);

    /// <summary>How long after its start a replica is probed every <see cref="FastPause"/>.</summary>
    public static readonly TimeSpan FastPhase = TimeSpan.FromSeconds(5);

    /// <summary>True once the probe succeeds; false when the timeout passes first.</summary>
    public async Task<bool> WaitAsync(IHealthProbe probe, TimeSpan interval, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var member = crowd.Join();
        var began = time.GetUtcNow();
        var deadline = began + timeout;
        var fast = interval < FastPause ? interval : FastPause;
        var pause = crowd.Pause(fast);
        while (true)
        {
            if (await ProbeAttempt.RunAsync(probe, Clamp(deadline - time.GetUtcNow(), ProbeAttempt.Limit(interval)), time, cancellationToken))
                return true;
            if (time.GetUtcNow() >= deadline)
                return false;
            await Task.Delay(Clamp(deadline - time.GetUtcNow(), pause), time, cancellationToken);
            pause = time.GetUtcNow() - began < FastPhase ? crowd.Pause(fast) : pause * 2 < interval ? pause * 2 : interval;
        }
    }

    private static TimeSpan Clamp(TimeSpan left, TimeSpan limit) =>
        left <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : left < limit ? left : limit;
}
