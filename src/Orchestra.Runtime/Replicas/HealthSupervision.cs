using Orchestra.Configuration;
using Orchestra.Runtime.Health;
using Orchestra.Runtime.State;

namespace Orchestra.Runtime.Replicas;

/// <summary>
/// A running replica's health, whatever runs it: probed until healthy, then watched for as long as the probe can
/// tell (http, tcp, a command), with each change published to the replica's record.
/// </summary>
public sealed class HealthSupervision(TimeProvider time, StartingCrowd crowd)
{
    private readonly HealthWaiter _health = new(time, crowd);
    private readonly LivenessWatcher _liveness = new(time);

    /// <summary>
    /// Returns why the replica must be replaced, or null once there is nothing more to watch. Under <c>restart: no</c>
    /// an unhealthy replica is left running and watched, since it would not be started again.
    /// </summary>
    public async Task<string?> WatchAsync(IHealthProbe probe, TimeSpan interval, TimeSpan timeout, RestartPolicy restart,
        Action<Func<ReplicaRecord, ReplicaRecord>> publish, CancellationToken cancellationToken)
    {
        if (!await _health.WaitAsync(probe, interval, timeout, cancellationToken))
        {
            publish(r => r with { State = ReplicaState.Unhealthy });
            return $"not healthy within {DurationParser.Format(timeout)}";
        }
        var now = time.GetUtcNow();
        // An adopted replica keeps the time it took when it started: the time since then is its uptime, not its start-up.
        publish(r => r with { State = ReplicaState.Healthy, HealthyAfter = r.HealthyAfter ?? (r.StartedAt is { } started ? now - started : null) });
        if (!probe.WatchesLiveness)
            return null;
        await _liveness.WatchAsync(probe, interval, timeout, untilFailing: restart != RestartPolicy.No,
            healthy => publish(r => r with { State = healthy ? ReplicaState.Healthy : ReplicaState.Unhealthy }), cancellationToken);
        return $"unhealthy for {DurationParser.Format(timeout)}";
    }
}
