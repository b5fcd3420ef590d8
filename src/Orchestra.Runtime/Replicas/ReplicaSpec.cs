using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Launching;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Variables;

namespace Orchestra.Runtime.Replicas;

/// <summary>Everything needed to run one replica: what to execute, where, with which environment, and the service's policies.</summary>
public sealed record ReplicaSpec
{
    public required string Service { get; init; }
    public required int Replica { get; init; }
    /// <summary>A path, or a name looked up on the environment's PATH.</summary>
    public required string Program { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];
    public required string WorkingDirectory { get; init; }
    /// <summary>The complete environment (SPEC §2); it must hold ORCHESTRA_WORKSPACE/SERVICE/REPLICA for recovery.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    /// <summary>The workspace's <c>.orchestra</c> folder: logs go to its <c>logs</c> folder.</summary>
    public required string StateDirectory { get; init; }
    public int? Port { get; init; }
    public HealthConfig Health { get; init; } = new(HealthKind.None, null, HealthConfig.DefaultInterval, HealthConfig.DefaultTimeout);
    public RestartPolicy Restart { get; init; } = RestartPolicy.OnFailure;
    public string StopSignal { get; init; } = "SIGTERM";
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Which build of the program this is (see <c>LaunchSpec.Build</c>); recorded with each process it starts.</summary>
    public string? Build { get; init; }
    /// <summary>The container it runs in instead of a process (<c>start --docker</c>), or null; the supervisor picks the runner by it.</summary>
    public ContainerLaunch? Container { get; init; }

    public ReplicaLogFiles LogFiles => new(ReplicaLogFiles.DirectoryIn(StateDirectory), Service, Replica);

    internal SpawnRequest ToSpawnRequest() =>
        new(Program, Arguments, WorkingDirectory, Environment, LogFiles.RawStdout, LogFiles.RawStderr);

    /// <summary>
    /// The spec of replica <paramref name="replica"/> of <paramref name="service"/>: <paramref name="command"/> is the
    /// evaluated run command (program first), to which the service's <c>args</c> are appended.
    /// </summary>
    public static ReplicaSpec For(Workspace workspace, ServiceDefinition service, IReadOnlyList<string> command,
        ReplicaEnvironment environment, int replica = 0, int? port = null)
    {
        if (command.Count == 0)
            throw new ArgumentException($"Service {service.Name} has no command to run.", nameof(command));
        return new ReplicaSpec
        {
            Service = service.Name,
            Replica = replica,
            Program = command[0],
            Arguments = [.. command.Skip(1), .. service.Config.Args],
            WorkingDirectory = service.Directory,
            Environment = environment.ToDictionary(),
            StateDirectory = workspace.StateDirectory,
            Port = port ?? service.Port,
            Health = service.Health,
            Restart = service.Restart,
            StopSignal = service.Config.Stop.Signal,
            StopTimeout = service.StopTimeout,
        };
    }
}
