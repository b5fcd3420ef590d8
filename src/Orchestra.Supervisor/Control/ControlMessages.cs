using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestra.Errors;
using Orchestra.Launching;
using Orchestra.Runtime.State;

namespace Orchestra.Supervisor.Control;

/// <summary>The operations of the control API; on the wire as their lowercase names.</summary>
[JsonConverter(typeof(WireWords<ControlOp>))]
public enum ControlOp
{
    Ping,
    Start,
    Stop,
    Restart,
    Status,
    Shutdown,
    Scale,
    VendorsUp,
    VendorsDown,
}

/// <summary>An enum on the wire as its name in camelCase (<c>healthy</c>, <c>shutdown</c>), as clients and <c>ps --json</c> read it.</summary>
public sealed class WireWords<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false) where T : struct, Enum;

/// <summary>One request: a line of JSON from a client, answered by zero or more events and one final event.</summary>
public sealed record ControlRequest
{
    public required ControlOp Op { get; init; }
    public IReadOnlyList<string> Services { get; init; } = [];
    public IReadOnlyList<LaunchSpec> Launch { get; init; } = [];
    /// <summary>Services whose program was just rebuilt: running replicas of these are replaced, not kept.</summary>
    public IReadOnlyList<string> Rebuilt { get; init; } = [];
    /// <summary>Keep what a failed start started running (<c>start --keep-failed</c>); by default it is stopped again.</summary>
    public bool KeepOnFailure { get; init; }
    /// <summary>Replica counts that override <c>scale:</c> (from <c>start --scale</c> and <c>scale</c>) until the service is stopped.</summary>
    public IReadOnlyDictionary<string, int> Scales { get; init; } = new Dictionary<string, int>();
    /// <summary>The vendors a start brings up before its services, or that <c>vendors up|down</c> concern (none: all).</summary>
    public IReadOnlyList<string> Vendors { get; init; } = [];
    /// <summary><c>vendors down --volumes</c>: also remove the vendors' named volumes.</summary>
    public bool RemoveVolumes { get; init; }
    /// <summary>The requester's <c>DOCKER_HOST</c>: the engine its vendors run in (null: the usual socket).</summary>
    public string? DockerHost { get; init; }
    /// <summary>
    /// When the requesting command began to read the workspace: a supervisor that read it later (one the command just
    /// started) does not read it again for a start or a scale. Null: read it again.
    /// </summary>
    public DateTimeOffset? WorkspaceReadAt { get; init; }
}

/// <summary>The state of one replica as <c>ps</c> shows it.</summary>
public sealed record ReplicaStatus
{
    public required string Service { get; init; }
    public required int Replica { get; init; }
    public int? Pid { get; init; }
    [JsonConverter(typeof(WireWords<ReplicaState>))]
    public required ReplicaState State { get; init; }
    /// <summary>The port this replica listens on.</summary>
    public int? Port { get; init; }
    /// <summary>The service's public port, when the replica is behind the port proxy listening there.</summary>
    public int? ServicePort { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public TimeSpan? TimeToHealthy { get; init; }
    public int Restarts { get; init; }
    public double? CpuPercent { get; init; }
    public long? RssBytes { get; init; }
    public IReadOnlyList<string> LastLines { get; init; } = [];
    /// <summary>
    /// Why the service's last rerun on change did not build: the compiler's errors, one each, else one sentence; its
    /// replicas run the previous build meanwhile.
    /// </summary>
    public IReadOnlyList<string> BuildErrors { get; init; } = [];
    /// <summary>
    /// <see cref="BuildErrors"/> as one text, a line each, or null: the field <c>ps --json</c> printed before the
    /// list, kept for the scripts that read it.
    /// </summary>
    public string? BuildError => BuildErrors.Count == 0 ? null : string.Join('\n', BuildErrors);
    /// <summary>
    /// Why the service's last rerun on change did not pass its unit tests (<c>watch.test</c>): each failing test as
    /// <c>name: message</c>, else what kept them from running (a test project that did not build); its replicas run
    /// the previous build meanwhile.
    /// </summary>
    public IReadOnlyList<string> TestFailures { get; init; } = [];
    /// <summary>What the service's rerun on change is doing now, before it replaces the replicas; null when none runs.</summary>
    public RerunPhase? Rerun { get; init; }
    /// <summary>Whether the service's files are watched now, so that a change reruns it (false with --noreload, and for a moment after start).</summary>
    public bool Watching { get; init; }
    /// <summary>The image of a vendor's container; null for a process.</summary>
    public string? Image { get; init; }
    /// <summary>Why the replica's output cannot be collected at the moment; it waits in the raw capture files and collection is retried.</summary>
    public string? LogFault { get; init; }
}

/// <summary>Why work failed: the sentence the user reads, and the exit code it carries.</summary>
public sealed record ControlFailure(string Message, [property: JsonConverter(typeof(WireWords<FailureKind>))] FailureKind Kind = FailureKind.Failure);

/// <summary>
/// A line the supervisor sends back: progress while it works (<see cref="Done"/> false), then the outcome
/// (<see cref="Done"/> true) with the replicas it concerns and, when it failed, why.
/// </summary>
public sealed record ControlEvent
{
    public bool Done { get; init; }
    public string? Service { get; init; }
    public string? Message { get; init; }
    public ControlFailure? Failure { get; init; }
    public IReadOnlyList<ReplicaStatus> Replicas { get; init; } = [];
}

/// <summary>Source-generated serialization: no reflection at start-up, in the CLI or the supervisor.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlEvent))]
[JsonSerializable(typeof(List<LaunchSpec>))]
[JsonSerializable(typeof(PreparedLaunch))]
[JsonSerializable(typeof(RerunProgress))]
[JsonSerializable(typeof(BuildHostRequest))]
public sealed partial class ControlJson : JsonSerializerContext;
