using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.State;

namespace Orchestra.Runtime.Replicas;

/// <summary>
/// One replica's lifecycle, whatever runs it: <see cref="ReplicaRunner"/> runs a process; a container runner is the
/// next. The supervisor's parts see only this: the same states, health, restart policy and log collection, and
/// every change of the record published as it happens.
/// </summary>
public interface IReplicaRunner : IAsyncDisposable
{
    /// <summary>The replica as last recorded.</summary>
    ReplicaRecord Current { get; }

    /// <summary>Why its output cannot be collected now, or null.</summary>
    LogFault? LogFault { get; }

    /// <summary>Raised after every recorded change (log offsets included), on the runner's own threads.</summary>
    event Action<ReplicaRecord>? Changed;

    /// <summary>Raised when collecting its output starts failing (with why) and when it works again (with null).</summary>
    event Action<LogFault?>? LogFaultChanged;

    /// <summary>Starts the replica and supervises it in the background; once per runner, or <see cref="Adopt"/>.</summary>
    void Start();

    /// <summary>Takes over a replica a previous supervisor left running, as recorded.</summary>
    void Adopt(ReplicaRecord record);

    /// <summary>Completes with the state once it satisfies <paramref name="predicate"/> (at once if it already does).</summary>
    Task<ReplicaState> WaitForAsync(Func<ReplicaState, bool> predicate, CancellationToken cancellationToken);

    /// <summary>Stops it for good: supervision ends, it is stopped, its output is collected to the end.</summary>
    Task<StopOutcome> StopAsync(CancellationToken cancellationToken);
}

/// <summary>Makes the runner of a replica from its spec; the supervisor's one way to create replicas.</summary>
public delegate IReplicaRunner ReplicaRunnerFactory(ReplicaSpec spec);
