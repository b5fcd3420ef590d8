using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;

namespace Orchestra.Tests.Supervisor;

/// <summary>
/// A replica without a process, behind the same seam as a process runner: the supervisor's parts run on it unchanged,
/// and the test decides what it becomes. A started one turns <see cref="StartsAs"/> on the thread pool, as a real
/// one would after a while, so requests are in flight while the test looks.
/// </summary>
internal sealed class InMemoryReplicaRunner : IReplicaRunner
{
    private readonly ReplicaRecordKeeper _record;
    private Task _settling = Task.CompletedTask;

    public InMemoryReplicaRunner(ReplicaSpec spec, ReplicaState startsAs)
    {
        Spec = spec;
        StartsAs = startsAs;
        _record = new ReplicaRecordKeeper(new ReplicaRecord { Service = spec.Service, Replica = spec.Replica, Port = spec.Port, State = ReplicaState.Stopped });
        _record.Changed += record => Changed?.Invoke(record);
    }

    public ReplicaSpec Spec { get; }

    public ReplicaState StartsAs { get; }

    public bool Stopped { get; private set; }

    public ReplicaRecord Current => _record.Current;

    public LogFault? LogFault => null;

    // Its own event, fed by the record's, so that a test can also tell an older record late (TellLate).
    public event Action<ReplicaRecord>? Changed;

    // It has no output to collect, so collecting it never fails.
    public event Action<LogFault?>? LogFaultChanged
    {
        add { }
        remove { }
    }

    public void Start()
    {
        Set(r => r with { State = ReplicaState.Starting, StartedAt = DateTimeOffset.UtcNow });
        _settling = Task.Run(() => Set(r => r.State == ReplicaState.Starting ? r with { State = StartsAs } : r));
    }

    public void Adopt(ReplicaRecord record) => Set(_ => record with { State = ReplicaState.Healthy });

    /// <summary>What a health probe or an exit would do to a real replica.</summary>
    public void Become(ReplicaState state) => Set(r => r with { State = state });

    /// <summary>What a spawn does to a real replica's record: a new process, starting.</summary>
    public void Spawned(int pid) => Set(r => r with { Pid = pid, StartTime = 1, State = ReplicaState.Starting });

    /// <summary>A log offset commit: a change that is no news to anyone but the state file.</summary>
    public void CommitOffsets(long offset) => Set(r => r with { StdoutOffset = offset });

    /// <summary>
    /// A change told late: a runner tells its changes outside its lock and from more than one thread (its loop, its
    /// log collector), so a subscriber can get an older record after a newer one.
    /// </summary>
    public void TellLate(ReplicaRecord older) => Changed?.Invoke(older);

    public Task<ReplicaState> WaitForAsync(Func<ReplicaState, bool> predicate, CancellationToken cancellationToken) =>
        _record.WaitForAsync(predicate, cancellationToken);

    public async Task<StopOutcome> StopAsync(CancellationToken cancellationToken)
    {
        await _settling;
        Stopped = true;
        Set(r => r with { State = ReplicaState.Stopped });
        return StopOutcome.Graceful;
    }

    public ValueTask DisposeAsync() => new(_settling);

    private void Set(Func<ReplicaRecord, ReplicaRecord> change) => _record.Publish(change);
}
