using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestra.Configuration;
using Orchestra.Runtime.Logs;

namespace Orchestra.Vendors.Containers;

/// <summary>A container port published on 127.0.0.1:<see cref="HostPort"/>.</summary>
public sealed record PublishedPort(int ContainerPort, int HostPort)
{
    public override string ToString() => $"127.0.0.1:{HostPort}->{ContainerPort}";
}

/// <summary>
/// How a container replica tells that it is ready: a command run in it (a vendor's), or else the runtime's own probe of
/// <see cref="Probe"/> (tcp, http, a log line, none) on its first published port, as for a process replica.
/// </summary>
public sealed record ContainerHealth(HealthConfig Probe, IReadOnlyList<string> Command)
{
    public static readonly ContainerHealth None = Of(new HealthConfig(HealthKind.None, null, HealthConfig.DefaultInterval, HealthConfig.DefaultTimeout));

    /// <summary>The runtime's probe of <paramref name="probe"/>.</summary>
    public static ContainerHealth Of(HealthConfig probe) => new(probe, []);

    /// <summary>Healthy when <paramref name="command"/>, run in the container, exits with 0.</summary>
    public static ContainerHealth Exec(IReadOnlyList<string> command, TimeSpan interval, TimeSpan timeout) =>
        new(new HealthConfig(HealthKind.None, null, interval, timeout), command);

    public TimeSpan Interval => Probe.Interval;
    public TimeSpan Timeout => Probe.Timeout;
}

/// <summary>
/// Everything needed to run one container replica: what the container is (image, environment, ports, volumes), the
/// service it is a replica of, and the policies the runner applies, as <c>ReplicaSpec</c> is for a process.
/// </summary>
public sealed record ContainerSpec
{
    /// <summary>The container's name in Docker.</summary>
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>The workspace's root folder: its label finds the workspace's containers again.</summary>
    public required string Workspace { get; init; }
    /// <summary>The service or vendor it is a replica of.</summary>
    public required string Service { get; init; }
    /// <summary>The workspace's <c>.orchestra</c> folder: the output goes to its <c>logs</c> folder.</summary>
    public required string StateDirectory { get; init; }
    /// <summary>The replica of <see cref="Service"/> it is: a vendor has one, 0.</summary>
    public int Replica { get; init; }
    /// <summary>What it runs, program first; empty for the image's own command.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    /// <summary>The workspace's Docker network it joins, with <see cref="Service"/> as its alias there; null for none.</summary>
    public string? Network { get; init; }
    /// <summary>
    /// A service's replica (<c>start --docker</c>), not a vendor: labelled with its replica number, and removed once
    /// stopped, since the next start runs the next build. A vendor's container is kept, for the next start to reuse.
    /// </summary>
    public bool IsServiceReplica { get; init; }
    /// <summary>Which build of a service it runs (see <c>ReplicaSpec.Build</c>), recorded with the replica; null for a vendor.</summary>
    public string? Build { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<PublishedPort> Ports { get; init; } = [];
    /// <summary>Docker's bind syntax: <c>name:/path</c> for a named volume, <c>/host:/path[:ro]</c> for a folder.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];
    /// <summary>The stop signal; null for the image's own (else SIGTERM).</summary>
    public string? StopSignal { get; init; }
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public ContainerHealth Health { get; init; } = ContainerHealth.None;
    public RestartPolicy Restart { get; init; } = RestartPolicy.OnFailure;

    public ReplicaLogFiles LogFiles => new(ReplicaLogFiles.DirectoryIn(StateDirectory), Service, Replica);

    /// <summary>
    /// A digest of what the container is made from. A container whose label carries another one was made from an older
    /// configuration and is made again; health and restart policy are the runner's, and changing them keeps it.
    /// </summary>
    public string ConfigurationHash
    {
        get
        {
            var text = new StringBuilder()
                .AppendLine(Image)
                .AppendJoin('\n', Command.Select(c => $"command {c}")).AppendLine()
                .AppendLine($"network {Network}")
                .AppendJoin('\n', Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"env {e.Key}={e.Value}")).AppendLine()
                .AppendJoin('\n', Ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"port {p.HostPort}:{p.ContainerPort}"))).AppendLine()
                .AppendJoin('\n', Volumes.Select(v => $"volume {v}")).AppendLine()
                .AppendLine($"stop {StopSignal}");
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        }
    }
}
