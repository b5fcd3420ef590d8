using Orchestra.Runtime.State;

namespace Orchestra.Runtime.Replicas;

/// <summary>
/// A replica's record as its runner keeps it, whatever runs the replica: read under a lock, changed one publish at a
/// time, each change told to the state's waiters in order and then to the subscribers (outside the lock, so that a
/// subscriber may read the runner again).
/// </summary>
public sealed class ReplicaRecordKeeper
{
    private readonly Lock _lock = new();
    private readonly StateWaiters _waiters;
    private ReplicaRecord _current;

    public ReplicaRecordKeeper(ReplicaRecord initial)
    {
        _current = initial;
        _waiters = new StateWaiters(initial.State);
    }

    /// <summary>The record as last published.</summary>
    public ReplicaRecord Current
    {
        get
        {
            lock (_lock)
                return _current;
        }
    }

    /// <summary>Raised after every change, on the publishing thread.</summary>
    public event Action<ReplicaRecord>? Changed;

    /// <summary>Applies <paramref name="change"/> to the record and tells it.</summary>
    public void Publish(Func<ReplicaRecord, ReplicaRecord> change)
    {
        ReplicaRecord updated;
        lock (_lock)
        {
            _current = updated = change(_current);
            _waiters.Tell(updated.State);
        }
        Changed?.Invoke(updated);
    }

    /// <summary>Completes with the state once it satisfies <paramref name="predicate"/> (at once if it already does).</summary>
    public Task<ReplicaState> WaitForAsync(Func<ReplicaState, bool> predicate, CancellationToken cancellationToken) =>
        _waiters.WaitForAsync(predicate, cancellationToken);
}
