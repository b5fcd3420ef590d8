namespace Orchestra.Runtime.Processes;

/// <summary>
/// The operating-system seam of the runner: everything that spawns, inspects or signals processes goes
/// through it. <see cref="LinuxProcessHost"/> is the only implementation today; another OS adds its own.
/// </summary>
public interface IProcessHost
{
    /// <summary>Starts a replica as the leader of a new session and process group; throws <see cref="SpawnException"/>.</summary>
    ProcessIdentity Spawn(SpawnRequest request);

    /// <summary>
    /// Null while the process runs. Once it is gone: its status when it was our child (and it is reaped
    /// here), <see cref="ExitStatus.Unknown"/> when it was not (an adopted replica).
    /// </summary>
    ExitStatus? CheckExit(ProcessIdentity process);

    /// <summary>
    /// Completes with the process's status (as <see cref="CheckExit"/> gives it) once it has ended. It is told by the
    /// OS where it can (a pidfd on Linux), so nothing runs while the process does; elsewhere it is checked every
    /// <paramref name="pollInterval"/>.
    /// </summary>
    Task<ExitStatus> WaitForExitAsync(ProcessIdentity process, TimeSpan pollInterval, TimeProvider time, CancellationToken cancellationToken);

    /// <summary>True when a process with this pid and this start time exists and is not a zombie.</summary>
    bool IsAlive(ProcessIdentity process);

    /// <summary>
    /// The live processes of the replica led by <paramref name="leader"/>: its process group and session,
    /// started no earlier than the leader (so a pid reused after the group emptied is not counted).
    /// </summary>
    IReadOnlyList<ProcessIdentity> GroupMembers(ProcessIdentity leader);

    /// <summary>
    /// The live processes of every replica led by one of <paramref name="leaders"/>, as <see cref="GroupMembers(ProcessIdentity)"/>
    /// gives them, from one look at the process table instead of one per leader.
    /// </summary>
    IReadOnlyList<ProcessIdentity> GroupMembers(IEnumerable<ProcessIdentity> leaders);

    /// <summary>Sends <paramref name="signal"/> to every process of the replica; pids are re-verified against their start time.</summary>
    void SignalGroup(ProcessIdentity leader, int signal);

    /// <summary>The identity of a live process, or null when there is none with that pid.</summary>
    ProcessIdentity? Identify(int pid);

    /// <summary>Sends <paramref name="signal"/> to this one process, if it is still the process <paramref name="process"/> names.</summary>
    void Signal(ProcessIdentity process, int signal);

    /// <summary>
    /// The replicas of the workspace at <paramref name="workspaceRoot"/> that live, found by their environment when
    /// their records are lost; and the processes that carry the same markers without being replicas.
    /// </summary>
    ReplicaScan FindReplicas(string workspaceRoot);
}

/// <summary>
/// What a scan for lost replicas found. A replica's children inherit its environment, so a child that called
/// <c>setsid</c> looks like a replica (a session leader with the markers) while it is not one: those are
/// <see cref="Escaped"/>, never adopted, only reported.
/// </summary>
public sealed record ReplicaScan(IReadOnlyList<FoundReplica> Replicas, IReadOnlyList<FoundReplica> Escaped)
{
    public static readonly ReplicaScan None = new([], []);
}

/// <summary>A live replica found by its environment (<c>ORCHESTRA_WORKSPACE</c>, <c>ORCHESTRA_SERVICE</c>, <c>ORCHESTRA_REPLICA</c>).</summary>
public sealed record FoundReplica(string Service, int Replica, ProcessIdentity Process)
{
    /// <summary>The port it was told to listen on (its <c>PORT</c>), when it was given one.</summary>
    public int? Port { get; init; }
}
