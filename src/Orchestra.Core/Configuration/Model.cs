namespace Orchestra.Configuration;

/// <summary>What the supervisor does when a replica exits.</summary>
public enum RestartPolicy
{
    /// <summary>Leave it stopped.</summary>
    No,
    /// <summary>Restart it when it exits with a non-zero code or a signal.</summary>
    OnFailure,
    /// <summary>Restart it whenever it exits.</summary>
    Always,
}

/// <summary>A <c>before</c>/<c>after</c> pair of shell commands around an Orchestra command.</summary>
public sealed record HookSet(IReadOnlyList<string> Before, IReadOnlyList<string> After)
{
    public static readonly HookSet None = new([], []);
}

/// <summary>Per-command settings: <c>commands.&lt;name&gt;</c> in orchestra.yml.</summary>
public sealed record CommandSettings(IReadOnlyList<EnvEntry> Env, HookSet Hooks);

/// <summary><c>defaults:</c> in orchestra.yml, applied to every service that does not say otherwise.</summary>
public sealed record ServiceDefaults(RestartPolicy Restart, TimeSpan StopTimeout)
{
    public static readonly ServiceDefaults Standard = new(RestartPolicy.OnFailure, TimeSpan.FromSeconds(10));
}

/// <summary>A port a vendor container exposes, and the host port it is published on when fixed.</summary>
public sealed record VendorPort(int ContainerPort, int? HostPort)
{
    public override string ToString() => HostPort is { } host ? $"{host}:{ContainerPort}" : $"{ContainerPort}";
}

/// <summary>Which check tells that a vendor container is ready.</summary>
public enum VendorHealthKind
{
    /// <summary>No check: ready once the container runs.</summary>
    None,
    /// <summary>A command run inside the container (exec) that exits 0.</summary>
    Command,
    /// <summary>A TCP connect to the host port the vendor's first port is published on, for images without a shell.</summary>
    Tcp,
}

/// <summary><c>health:</c> of a vendor. <see cref="Command"/> is empty unless the kind is <see cref="VendorHealthKind.Command"/>.</summary>
public sealed record VendorHealth(VendorHealthKind Kind, IReadOnlyList<string> Command, TimeSpan Interval, TimeSpan Timeout)
{
    public static readonly VendorHealth None = new(VendorHealthKind.None, [], HealthConfig.DefaultInterval, HealthConfig.DefaultTimeout);
}

/// <summary><c>stop:</c> of a vendor.</summary>
/// <param name="Signal">
/// Null when not written: the image's own StopSignal, else SIGTERM, which only the container runner can tell.
/// </param>
/// <param name="Timeout">How long the container gets after the signal before it is killed; <c>defaults.stop_timeout</c> when not written.</param>
public sealed record VendorStop(string? Signal, TimeSpan Timeout);

/// <summary>
/// A volume mounted into a vendor container: a named volume (<see cref="Named"/>, kept across restarts) or a folder of
/// the host, whose <see cref="Source"/> is then an absolute path.
/// </summary>
public sealed record VendorVolume(string Source, string Target, bool ReadOnly, bool Named)
{
    public override string ToString() => $"{Source}:{Target}{(ReadOnly ? ":ro" : "")}";
}

/// <summary>A piece of vendor software (postgres, redis…) run as a Docker container.</summary>
public sealed record VendorConfig
{
    public required string Name { get; init; }
    public required SourceLocation Location { get; init; }
    public required string Image { get; init; }
    public IReadOnlyList<VendorPort> Ports { get; init; } = [];
    public IReadOnlyList<EnvEntry> Env { get; init; } = [];
    public IReadOnlyList<VendorVolume> Volumes { get; init; } = [];
    /// <summary>Other vendors that must be healthy before this one starts.</summary>
    public IReadOnlyList<Located<string>> DependsOn { get; init; } = [];
    public VendorHealth Health { get; init; } = VendorHealth.None;
    public VendorStop Stop { get; init; } = new(null, ServiceDefaults.Standard.StopTimeout);
    public string? ConnectionString { get; init; }
}

/// <summary>The content of orchestra.yml.</summary>
public sealed record WorkspaceConfig
{
    /// <summary>Full path of the orchestra.yml file.</summary>
    public required string FilePath { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<EnvEntry> Env { get; init; } = [];
    public IReadOnlyList<Located<string>> EnvFiles { get; init; } = [];
    public IReadOnlyList<string> ServiceGlobs { get; init; } = ["*"];
    public HookSet Hooks { get; init; } = HookSet.None;
    public IReadOnlyDictionary<string, CommandSettings> Commands { get; init; } = new Dictionary<string, CommandSettings>();
    public IReadOnlyList<VendorConfig> Vendors { get; init; } = [];
    public IReadOnlyList<string> Acceptance { get; init; } = [];
    public ServiceDefaults Defaults { get; init; } = ServiceDefaults.Standard;
}

/// <summary>Which probe tells that a replica is ready.</summary>
public enum HealthKind
{
    /// <summary>A TCP connect to the replica's port.</summary>
    Tcp,
    /// <summary>A 2xx answer to an HTTP GET of a path.</summary>
    Http,
    /// <summary>An output line matching a regular expression.</summary>
    Log,
    /// <summary>No probe: ready once started.</summary>
    None,
    /// <summary>Not said: tcp for a service with a port, otherwise none.</summary>
    Default,
}

/// <summary><c>health:</c> in service.yml. <see cref="Target"/> is the path for http and the pattern for log.</summary>
public sealed record HealthConfig(HealthKind Kind, string? Target, TimeSpan Interval, TimeSpan Timeout)
{
    /// <summary>Where the <c>health:</c> mapping was written, when it was.</summary>
    public SourceLocation? Location { get; init; }

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
}

/// <summary><c>stop:</c> in service.yml; a null part falls back to the workspace defaults.</summary>
/// <param name="Drain">
/// Behind the port proxy: how long a replica taken out of the routes (rolling restart, scale down) keeps the
/// connections it already has before it is signalled.
/// </param>
public sealed record StopConfig(string Signal, TimeSpan? Timeout, TimeSpan? Drain = null)
{
    public static readonly IReadOnlyList<string> Signals = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1", "SIGUSR2"];
    public static readonly StopConfig Default = new("SIGTERM", null);
    public static readonly TimeSpan DefaultDrain = TimeSpan.FromSeconds(5);
}

/// <summary><c>watch:</c> in service.yml: what reruns the service on change.</summary>
public sealed record WatchConfig(IReadOnlyList<string> Include, IReadOnlyList<string> Exclude, bool Test)
{
    public static readonly WatchConfig Default = new([], [], false);
}

/// <summary>The content of one service.yml.</summary>
public sealed record ServiceConfig
{
    /// <summary>Full path of the service.yml file.</summary>
    public required string FilePath { get; init; }
    public Located<string>? Name { get; init; }
    public Located<string>? Project { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<string>? Build { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyList<EnvEntry> Env { get; init; } = [];
    public IReadOnlyList<Located<string>> EnvFiles { get; init; } = [];
    public Located<int>? Port { get; init; }
    public int Scale { get; init; } = 1;
    public IReadOnlyList<Located<string>> DependsOn { get; init; } = [];
    public HealthConfig? Health { get; init; }
    public RestartPolicy? Restart { get; init; }
    public StopConfig Stop { get; init; } = StopConfig.Default;
    public WatchConfig Watch { get; init; } = WatchConfig.Default;
    /// <summary><c>tests:</c>: the service's unit test projects, each a project file or a folder holding one, relative to the service folder.</summary>
    public IReadOnlyList<Located<string>> Tests { get; init; } = [];
    public string? DockerImage { get; init; }
    public bool? Proxy { get; init; }
    public string? Framework { get; init; }
}

/// <summary>One environment variable as written in a configuration or .env file.</summary>
public sealed record EnvEntry(string Name, string Value, SourceLocation Location);
