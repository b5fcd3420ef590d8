using System.Globalization;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.State;

namespace Orchestra.Variables;

/// <summary>
/// Builds a replica's environment from the layers of SPEC §2, lowest to highest precedence: Orchestra's own
/// environment; orchestra.yml's env_file, then env; commands.&lt;cmd&gt;.env; the injected variables; the
/// service's env_file, then env. Each layer's <c>${NAME}</c> expands from the layers below it.
/// </summary>
public sealed class EnvironmentResolver
{
    internal static readonly StringComparer Names = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private readonly Workspace _workspace;
    private readonly IReadOnlyDictionary<string, string> _inherited;
    private readonly VendorPortTable _vendorPorts;
    private readonly VendorNetwork _vendorNetwork;

    /// <param name="workspace">The loaded workspace.</param>
    /// <param name="inherited">
    /// The lowest layer: the environment of the shell the command runs in (the CLI's host), never the supervisor's
    /// own, which is whatever shell happened to start it.
    /// </param>
    /// <param name="vendorPorts">
    /// The host ports the vendors' ports are published on, as assigned so far (<see cref="VendorPortAssignments.Known"/>);
    /// the resolver only reads them, it never chooses one.
    /// </param>
    /// <param name="vendorNetwork">
    /// How the replica reaches the vendors and the other services: on the host through 127.0.0.1, or from a container
    /// on the workspace's Docker network by their names (<c>start --docker</c>).
    /// </param>
    public EnvironmentResolver(Workspace workspace, IReadOnlyDictionary<string, string> inherited, VendorPortTable vendorPorts, VendorNetwork vendorNetwork = VendorNetwork.Loopback)
    {
        _workspace = workspace;
        _inherited = inherited;
        _vendorPorts = vendorPorts;
        _vendorNetwork = vendorNetwork;
    }

    /// <summary>
    /// The <c>PORT</c> of a replica behind the port proxy that is not running: the supervisor gives each replica a
    /// free port of its own as it starts it, while the service's port is the proxy's (SPEC §5).
    /// </summary>
    /// <summary>
    /// The variable that names a process replica's workspace: how recovery finds the replicas again in /proc when the
    /// state file is lost.
    /// </summary>
    public const string WorkspaceMarker = "ORCHESTRA_WORKSPACE";

    public const string PortChosenAtStart = "<a free port chosen at start>";

    /// <summary>
    /// The host port of a vendor port written without one (<c>"5432"</c>) before anything assigned it: the first
    /// <c>start</c> (or the first time its container is created) chooses it, and it stays.
    /// </summary>
    public const string VendorPortChosenAtStart = "<a free port chosen at the vendor's first start>";

    /// <summary>The environment of replica <paramref name="replica"/> of <paramref name="service"/> when run by <paramref name="command"/>.</summary>
    /// <param name="replicaPort">
    /// The port the replica listens on. Null: the service's port when it binds it itself (<c>proxy: false</c>), and
    /// <see cref="PortChosenAtStart"/> behind the proxy, where that port is only known once the replica starts.
    /// </param>
    /// <exception cref="ConfigurationException">A missing or malformed env file, or a cycle of references.</exception>
    public ReplicaEnvironment Resolve(ServiceDefinition service, string command, int replica = 0, int? replicaPort = null)
    {
        var merged = new Dictionary<string, ResolvedVariable>(Names);
        foreach (var (name, value) in _inherited)
            merged[name] = new ResolvedVariable(name, value, VariableOrigin.Inherited, "environment");

        foreach (var (layer, origin, source) in WorkspaceLayers(command))
            Apply(merged, layer, origin, source);

        // In a container of its own every replica has the network to itself, so each listens on the service's port
        // there; the port it is published on (the proxy's backend) is the host's business.
        var port = InContainers ? service.Port?.ToString(CultureInfo.InvariantCulture)
            : replicaPort?.ToString(CultureInfo.InvariantCulture) ?? (service.UsesProxy ? PortChosenAtStart : service.Port?.ToString(CultureInfo.InvariantCulture));
        foreach (var variable in Injected(service, replica, port, merged))
            merged[variable.Name] = variable;

        foreach (var file in service.Config.EnvFiles)
        {
            var path = Path.GetFullPath(file.Value, service.Directory);
            Apply(merged, DotEnvParser.Read(path, file.Location), VariableOrigin.ServiceEnvFile, RelativeToRoot(path));
        }
        Apply(merged, service.Config.Env, VariableOrigin.ServiceEnv, RelativeToRoot(service.Config.FilePath));

        // A container starts from its image's environment: the shell's (PATH, HOME, DOTNET_ROOT of the host) would
        // break it, so it only serves to expand ${NAME} above.
        var variables = merged.Values.Where(v => !InContainers || v.Origin != VariableOrigin.Inherited);
        return new ReplicaEnvironment(variables.OrderBy(v => v.Name, StringComparer.Ordinal).ToList());
    }

    private bool InContainers => _vendorNetwork == VendorNetwork.Containers;

    /// <summary>The environment shared by every service of <paramref name="command"/>: hooks run with it.</summary>
    public IReadOnlyDictionary<string, string> ResolveShared(string command)
    {
        var merged = new Dictionary<string, ResolvedVariable>(Names);
        foreach (var (name, value) in _inherited)
            merged[name] = new ResolvedVariable(name, value, VariableOrigin.Inherited, "environment");
        foreach (var (layer, origin, source) in WorkspaceLayers(command))
            Apply(merged, layer, origin, source);
        return merged.ToDictionary(p => p.Key, p => p.Value.Value, Names);
    }

    /// <summary>
    /// The shared environment of <paramref name="command"/> with what every service is told of the others: each
    /// service's <c>services__NAME__http__0</c> and each vendor's HOST, PORT and <c>ConnectionStrings__NAME</c>. An
    /// acceptance test runs with it, so that it reaches the fleet exactly as a service does.
    /// </summary>
    public IReadOnlyDictionary<string, string> ResolveDiscovery(string command)
    {
        var merged = new Dictionary<string, string>(ResolveShared(command), Names);
        foreach (var variable in Discovery(except: null))
            merged[variable.Name] = variable.Value;
        return merged;
    }

    private IEnumerable<(IReadOnlyList<EnvEntry> Layer, VariableOrigin Origin, string Source)> WorkspaceLayers(string command)
    {
        var config = _workspace.Config;
        foreach (var file in config.EnvFiles)
        {
            var path = Path.GetFullPath(file.Value, _workspace.Root);
            yield return (DotEnvParser.Read(path, file.Location), VariableOrigin.WorkspaceEnvFile, RelativeToRoot(path));
        }
        yield return (config.Env, VariableOrigin.WorkspaceEnv, RelativeToRoot(config.FilePath));
        if (config.Commands.TryGetValue(command, out var settings))
            yield return (settings.Env, VariableOrigin.CommandEnv, $"commands.{command}");
    }

    private static void Apply(Dictionary<string, ResolvedVariable> merged, IReadOnlyList<EnvEntry> layer, VariableOrigin origin, string source)
    {
        var expanded = VariableExpander.ExpandLayer(layer, name => merged.TryGetValue(name, out var v) ? v.Value : null, Names);
        foreach (var (name, value) in expanded)
            merged[name] = new ResolvedVariable(name, value, origin, source);
    }

    private IEnumerable<ResolvedVariable> Injected(ServiceDefinition service, int replica, string? port, Dictionary<string, ResolvedVariable> below)
    {
        ResolvedVariable Make(string name, string value) => new(name, value, VariableOrigin.Injected, "orchestra");

        if (port is not null)
        {
            yield return Make("PORT", port);
            // In a container, on every interface: the port is published from the container's own address.
            yield return Make("ASPNETCORE_URLS", $"http://{(InContainers ? "0.0.0.0" : "127.0.0.1")}:{port}");
        }
        yield return Make("ORCHESTRA_SERVICE", service.Name);
        yield return Make("ORCHESTRA_REPLICA", replica.ToString(CultureInfo.InvariantCulture));
        yield return Make(WorkspaceMarker, _workspace.Root);
        foreach (var name in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT" })
        {
            if (!below.ContainsKey(name))
                yield return Make(name, "Development");
        }
        foreach (var variable in Discovery(except: service.Name))
            yield return variable;
    }

    /// <summary>How the services (but <paramref name="except"/>) and the vendors are reached.</summary>
    private IEnumerable<ResolvedVariable> Discovery(string? except)
    {
        static ResolvedVariable Make(string name, string value) => new(name, value, VariableOrigin.Injected, "orchestra");

        foreach (var other in _workspace.Services)
        {
            if (other.Name != except && other.Port is { } otherPort)
                yield return Make($"services__{other.Name}__http__0", $"http://{(InContainers ? other.Name : "127.0.0.1")}:{otherPort}");
        }
        foreach (var vendor in _workspace.Vendors)
        {
            if (vendor.Ports.FirstOrDefault() is not { } vendorPort)
                continue;
            var (vendorHost, vendorPortText) = VendorAddress(vendor, vendorPort);
            var prefix = EnvironmentName(vendor.Name);
            yield return Make($"{prefix}_HOST", vendorHost);
            yield return Make($"{prefix}_PORT", vendorPortText);
            if (vendor.ConnectionString is { } template)
            {
                var connection = VariableExpander.Expand(template, n => n switch { "host" => vendorHost, "port" => vendorPortText, _ => null });
                yield return Make($"ConnectionStrings__{vendor.Name}", connection);
            }
        }
    }

    /// <summary>Where a service reaches <paramref name="port"/> of <paramref name="vendor"/>.</summary>
    private (string Host, string Port) VendorAddress(VendorConfig vendor, VendorPort port) => _vendorNetwork switch
    {
        VendorNetwork.Containers => (vendor.Name, port.ContainerPort.ToString(CultureInfo.InvariantCulture)),
        _ => ("127.0.0.1", _vendorPorts.HostPort(vendor.Name, port.ContainerPort)?.ToString(CultureInfo.InvariantCulture) ?? VendorPortChosenAtStart),
    };

    /// <summary><c>my-db</c> becomes <c>MY_DB</c>, a name every shell accepts.</summary>
    public static string EnvironmentName(string name) =>
        new(name.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    private string RelativeToRoot(string path) => Path.GetRelativePath(_workspace.Root, path);
}
