using Orchestra.Runtime.State;

namespace Orchestra.Runtime.Replicas;

/// <summary>
/// Those waiting for a replica to reach a state (<c>start</c> waits for healthy, a rollout for settled), released as
/// its states are told. Every runner needs the same; this is it.
/// </summary>
public sealed class StateWaiters(ReplicaState initial)
{
    private readonly Lock _lock = new();
    private readonly List<(Func<ReplicaState, bool> Predicate, TaskCompletionSource<ReplicaState> Waiter)> _waiting = [];
    private ReplicaState _state = initial;

    /// <summary>Completes with the state once it satisfies <paramref name="predicate"/> (at once if it already does).</summary>
    public Task<ReplicaState> WaitForAsync(Func<ReplicaState, bool> predicate, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<ReplicaState>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (predicate(_state))
                return Task.FromResult(_state);
            _waiting.Add((predicate, waiter));
        }
        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The replica is in <paramref name="state"/> now. Call it in the order of the states (under the runner's lock).</summary>
    public void Tell(ReplicaState state)
    {
        lock (_lock)
        {
            _state = state;
            foreach (var (_, waiter) in _waiting.Where(w => w.Predicate(state)))
                waiter.TrySetResult(state);
            _waiting.RemoveAll(w => w.Predicate(state));
        }
    }
}
