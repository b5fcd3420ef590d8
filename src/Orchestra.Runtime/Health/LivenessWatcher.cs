namespace Orchestra.Runtime.Health;

/// <summary>
/// Keeps probing a replica that became ready (SPEC §5: a replica that keeps failing is restarted). Three failures in a
/// row make it unhealthy, one pass makes it healthy again, and failing every probe for <c>timeout</c> (the same
/// allowance a replica has to become ready) can end the watch so that it is replaced. A replica that keeps passing is
/// probed less and less often, the wait doubling from <c>interval</c> up to <see cref="QuietInterval"/>: a fleet at
/// rest should cost nothing (each probe also makes a web app log its request), and an exit is told at once anyway
/// (pidfd), so only a hung replica waits for the probe. From the first failure on, it is probed every <c>interval</c>.
/// </summary>
public sealed class LivenessWatcher(TimeProvider time)
{
    /// <summary>Failed probes in a row before a ready replica counts as unhealthy: one slow answer is not an outage.</summary>
    public const int FailuresBeforeUnhealthy = 3;

    /// <summary>The longest wait between two probes of a replica that keeps passing (its <c>interval</c> when that is longer).</summary>
    public static readonly TimeSpan QuietInterval = TimeSpan.FromSeconds(10);

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
        var quiet = interval > QuietInterval ? interval : QuietInterval;
        var wait = interval;
        while (true)
        {
            await Task.Delay(wait, time, cancellationToken);
            if (await ProbeAttempt.RunAsync(probe, ProbeAttempt.Limit(interval), time, cancellationToken))
            {
                wait = wait * 2 < quiet ? wait * 2 : quiet;
                failuresInARow = 0;
                if (unhealthy)
                {
                    unhealthy = false;
                    healthChanged(true);
                }
                continue;
            }
            wait = interval;
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
