using Orchestra.Configuration;

namespace Orchestra.Discovery;

/// <summary>How a service is built and run.</summary>
public enum ServiceKind
{
    /// <summary>A .NET project, evaluated and built with MSBuild.</summary>
    Project,
    /// <summary>A plain command, with an optional build command.</summary>
    Command,
}

/// <summary>A discovered service: its configuration resolved against the workspace.</summary>
public sealed record ServiceDefinition
{
    public required string Name { get; init; }
    /// <summary>Full path of the service's folder.</summary>
    public required string Directory { get; init; }
    public required ServiceConfig Config { get; init; }
    public required ServiceKind Kind { get; init; }
    /// <summary>Full path of the project file; also set for a command service that names one.</summary>
    public string? ProjectPath { get; init; }
    public required RestartPolicy Restart { get; init; }
    public required TimeSpan StopTimeout { get; init; }
    /// <summary>How long a replica leaving the proxy's routes keeps its open connections before it is signalled (<c>stop.drain</c>).</summary>
    public TimeSpan DrainTimeout => Config.Stop.Drain ?? StopConfig.DefaultDrain;
    /// <summary>The readiness probe in force, with the default already applied.</summary>
    public required HealthConfig Health { get; init; }

    public int? Port => Config.Port?.Value;
    public int Scale => Config.Scale;
    /// <summary>
    /// Whether Orchestra listens on <see cref="Port"/> and forwards to the replicas, each on a port of its own
    /// (SPEC §5); <c>proxy: false</c> has the one replica bind the port itself.
    /// </summary>
    public bool UsesProxy => Port is not null && Config.Proxy != false;

    /// <summary>Why the service cannot run <paramref name="replicas"/> replicas, or null when it can.</summary>
    public string? CannotScaleTo(int replicas) => replicas switch
    {
        < 0 or > ServiceConfigReader.MaxScale => $"a replica count must be from 0 to {ServiceConfigReader.MaxScale}, got {replicas}.",
        > 1 when Port is not null && !UsesProxy => $"service '{Name}' has proxy: false, so it runs one replica at most.",
        _ => null,
    };
    public IEnumerable<string> DependsOn => Config.DependsOn.Select(d => d.Value);
}

/// <summary>A loaded, validated workspace: orchestra.yml and every service it discovers.</summary>
public sealed record Workspace
{
    public const string StateFolderName = ".orchestra";

    /// <summary>Full path of the folder holding orchestra.yml.</summary>
    public required string Root { get; init; }
    public required WorkspaceConfig Config { get; init; }
    /// <summary>The services, ordered by name.</summary>
    public required IReadOnlyList<ServiceDefinition> Services { get; init; }

    /// <summary>
    /// When the load that made it began: a load that began later saw every change to the files this one saw, so the
    /// supervisor need not read them again for a command that loaded them earlier (see <c>LoadedWorkspace</c>).
    /// </summary>
    public DateTimeOffset ReadAt { get; init; }

    /// <summary>The workspace's name: <c>name:</c>, or its folder's name.</summary>
    public string Name => Config.Name ?? Path.GetFileName(Root.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>Where Orchestra keeps state for this workspace; created on first use, not by loading.</summary>
    public string StateDirectory => StateDirectoryIn(Root);

    /// <summary>
    /// The state folder of the workspace in <paramref name="root"/> (the folder of its orchestra.yml), known before the
    /// workspace is loaded: a command starts its supervisor first.
    /// </summary>
    public static string StateDirectoryIn(string root) => Path.Combine(root, StateFolderName);

    public IReadOnlyList<VendorConfig> Vendors => Config.Vendors;

    public ServiceDefinition? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);
}
