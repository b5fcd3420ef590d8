using Orchestra.Configuration;
using Orchestra.Runtime.Processes;

namespace Orchestra.Runtime.Restarts;

/// <summary>What to do after a replica's process ended.</summary>
public abstract record RestartDecision
{
    private RestartDecision()
    {
    }

    /// <summary>Start it again after <see cref="Delay"/>.</summary>
    public sealed record Restart(TimeSpan Delay) : RestartDecision;
    /// <summary>The policy does not restart it (<c>no</c>, or a clean exit under <c>on-failure</c>).</summary>
    public sealed record Stay : RestartDecision;
    /// <summary>Too many failures in a row: the replica is <c>crashed</c> and left alone.</summary>
    public sealed record Crashed : RestartDecision;
}

/// <summary>Applies a service's restart policy to the successive exits of one replica. Not thread-safe: one replica's lifecycle is sequential.</summary>
public sealed class RestartTracker(RestartPolicy policy, RestartBackoff backoff)
{
    private int _failuresInARow;
    private int _restartsInARow;

    public int FailuresInARow => _failuresInARow;

    /// <summary>Decides after an exit with <paramref name="status"/> once the process had run for <paramref name="uptime"/>.</summary>
    public RestartDecision OnExit(ExitStatus status, TimeSpan uptime)
    {
        if (uptime >= backoff.ResetAfter)
        {
            _failuresInARow = 0;
            _restartsInARow = 0;
        }
        if (!status.IsSuccess)
            _failuresInARow++;
        else
            _failuresInARow = 0;

        if (_failuresInARow >= backoff.MaxFailures)
            return new RestartDecision.Crashed();
        var restart = policy switch
        {
            RestartPolicy.Always => true,
            RestartPolicy.OnFailure => !status.IsSuccess,
            _ => false,
        };
        if (!restart)
            return new RestartDecision.Stay();
        _restartsInARow++;
        return new RestartDecision.Restart(backoff.DelayFor(_restartsInARow));
    }
}

/// <summary>How a decision reads in a replica's record, whatever runs the replica.</summary>
public static class RestartDecisionRecords
{
    /// <summary>
    /// Publishes the state <paramref name="decision"/> leaves the replica in after an exit (<paramref name="lastExit"/>)
    /// and returns how long to wait before starting it again, or null when its life ends here.
    /// </summary>
    public static TimeSpan? Publish(this RestartDecision decision, string lastExit, Action<Func<State.ReplicaRecord, State.ReplicaRecord>> publish)
    {
        var (state, delay) = decision switch
        {
            RestartDecision.Restart restart => (State.ReplicaState.Restarting, restart.Delay),
            RestartDecision.Crashed => (State.ReplicaState.Crashed, (TimeSpan?)null),
            _ => (State.ReplicaState.Stopped, null),
        };
        publish(r => r with { State = state, Pid = 0, StartTime = 0, LastExit = lastExit, Backoff = delay });
        return delay;
    }
}
