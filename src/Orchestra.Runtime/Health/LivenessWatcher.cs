namespace Orchestra.Runtime.Health;

/// <summary>
/// Keeps probing a replica that became ready, once per <c>interval</c> (SPEC §5: a replica that keeps failing is
/// restarted). Three failures in a row make it unhealthy, one pass makes it healthy again, and failing every probe
/// for <c>timeout</c> (the same allowance a replica has to become ready) ends the watch so that it can be replaced.
/// </summary>
public sealed class LivenessWatcher(TimeProvider time)
{
    /// <summary>Failed probes in a row before a ready replica counts as unhealthy: one slow answer is not an outage.</summary>
    public const int FailuresBeforeUnhealthy = 3;

    /// <summary>
    /// Returns once the replica has been unhealthy and failed every probe for <paramref name="timeout"/>, counted from
    /// the first failure in the row; until then it reports each change through <paramref name="healthChanged"/>.
    /// </summary>
    public async Task WatchUntilFailingAsync(IHealthProbe probe, TimeSpan interval, TimeSpan timeout, Action<bool> healthChanged, CancellationToken cancellationToken)
    {
        var failuresInARow = 0;
        var failingSince = DateTimeOffset.MinValue;
        while (true)
        {
            await Task.Delay(interval, time, cancellationToken);
            if (await ProbeAttempt.RunAsync(probe, interval, time, cancellationToken))
            {
                if (failuresInARow >= FailuresBeforeUnhealthy)
                    healthChanged(true);
                failuresInARow = 0;
                continue;
            }
            if (failuresInARow++ == 0)
                failingSince = time.GetUtcNow();
            if (failuresInARow == FailuresBeforeUnhealthy)
                healthChanged(false);
            if (failuresInARow >= FailuresBeforeUnhealthy && time.GetUtcNow() - failingSince >= timeout)
                return;
        }
    }
}
