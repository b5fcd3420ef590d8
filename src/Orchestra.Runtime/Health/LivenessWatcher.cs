namespace Orchestra.Runtime.Health;

/// <summary>
/// Keeps probing a replica that became ready, once per <c>interval</c> (SPEC §5: a replica that keeps failing is
/// restarted). Three failures in a row make it unhealthy, one pass makes it healthy again, and failing every probe
/// for <c>timeout</c> (the same allowance a replica has to become ready) can end the watch so that it is replaced.
/// </summary>
public sealed class LivenessWatcher(TimeProvider time)
{
    /// <summary>Failed probes in a row before a ready replica counts as unhealthy: one slow answer is not an outage.</summary>
    public const int FailuresBeforeUnhealthy = 3;

    /// <summary>
    /// Reports each change of health through <paramref name="healthChanged"/>. With <paramref name="untilFailing"/>
    /// it returns once the replica has been unhealthy and failed every probe for <paramref name="timeout"/>, counted
    /// from the first failure in the row; without, it watches until cancelled.
    /// </summary>
    public async Task WatchAsync(IHealthProbe probe, TimeSpan interval, TimeSpan timeout, bool untilFailing, Action<bool> healthChanged, CancellationToken cancellationToken)
    {
        var failuresInARow = 0;
        var unhealthy = false;
        var failingSince = DateTimeOffset.MinValue;
        while (true)
        {
            await Task.Delay(interval, time, cancellationToken);
            if (await ProbeAttempt.RunAsync(probe, interval, time, cancellationToken))
            {
                failuresInARow = 0;
                if (unhealthy)
                {
                    unhealthy = false;
                    healthChanged(true);
                }
                continue;
            }
            if (failuresInARow++ == 0)
                failingSince = time.GetUtcNow();
            if (failuresInARow >= FailuresBeforeUnhealthy && !unhealthy)
            {
                unhealthy = true;
                healthChanged(false);
            }
            if (unhealthy && untilFailing && time.GetUtcNow() - failingSince >= timeout)
                return;
        }
    }
}
