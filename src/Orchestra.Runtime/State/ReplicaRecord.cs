using System.Text.Json.Serialization;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;

namespace Orchestra.Runtime.State;

/// <summary>Where a replica is in its lifecycle; <c>ps</c> shows it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReplicaState>))]
public enum ReplicaState
{
    /// <summary>Its process runs and has not passed its health probe yet.</summary>
    Starting,
    /// <summary>It passed its health probe.</summary>
    Healthy,
    /// <summary>It did not pass its health probe within the timeout.</summary>
    Unhealthy,
    /// <summary>Its process ended and the restart policy waits out the backoff.</summary>
    Restarting,
    /// <summary>It failed too often in a row and is left alone.</summary>
    Crashed,
    /// <summary>It was stopped, or it exited and the policy does not restart it.</summary>
    Stopped,
    /// <summary>It was told to stop and has not ended yet; the port proxy sends it nothing new.</summary>
    Stopping,
}

/// <summary>How a state reads in sentences and tables.</summary>
public static class ReplicaStateWords
{
    public static string Word(this ReplicaState state) => state.ToString().ToLowerInvariant();
}

/// <summary>
/// One replica as the state file records it. <see cref="Pid"/> plus <see cref="StartTime"/> identify its
/// process so a later supervisor can adopt it, or stop it, without ever signalling a reused pid.
/// </summary>
public sealed record ReplicaRecord
{
    public required string Service { get; init; }
    public required int Replica { get; init; }
    /// <summary>0 when no process runs.</summary>
    public int Pid { get; init; }
    /// <summary>Clock ticks since boot at which the process started (/proc/&lt;pid&gt;/stat field 22).</summary>
    public ulong StartTime { get; init; }
    public int? Port { get; init; }
    public ReplicaState State { get; init; }
    /// <summary>Restarts by the restart policy since the replica was started by a command.</summary>
    public int Restarts { get; init; }
    /// <summary>When the current process started, for uptime.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>How long the current process took from its start to its first passed health probe.</summary>
    public TimeSpan? HealthyAfter { get; init; }
    /// <summary>How the last process ended, in words (<c>exit code 3</c>), or a start failure.</summary>
    public string? LastExit { get; init; }
    /// <summary>The backoff before the pending restart, while <see cref="State"/> is <see cref="ReplicaState.Restarting"/>.</summary>
    public TimeSpan? Backoff { get; init; }
    /// <summary>Which build of the program the current process runs, so that a build made meanwhile is noticed.</summary>
    public string? Build { get; init; }
    public long StdoutOffset { get; init; }
    public long StderrOffset { get; init; }
    /// <summary>The container a container replica runs in (it has no <see cref="Pid"/> of Orchestra's), or null.</summary>
    public string? ContainerId { get; init; }
    /// <summary>A container replica's output is collected up to this time of the container's: a later collector resumes after it.</summary>
    public DateTimeOffset? LogsUntil { get; init; }

    [JsonIgnore]
    public ProcessIdentity? Process => Pid > 0 ? new ProcessIdentity(Pid, StartTime) : null;

    [JsonIgnore]
    public LogOffsets Offsets => new(StdoutOffset, StderrOffset);

    /// <summary>The key of a replica in the state file.</summary>
    [JsonIgnore]
    public (string Service, int Replica) Key => (Service, Replica);
}
