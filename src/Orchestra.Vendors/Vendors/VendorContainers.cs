using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.State;
using Orchestra.Vendors.Containers;

namespace Orchestra.Vendors.Vendors;

/// <summary>What a vendor of orchestra.yml is in Docker: its container's name, image, ports, volumes and policies.</summary>
public static class VendorContainers
{
    /// <summary><c>orchestra-&lt;workspace&gt;-&lt;vendor&gt;</c>, in the characters Docker allows in a name.</summary>
    public static string NameOf(Workspace workspace, string vendor) => $"orchestra-{DockerName(workspace.Name)}-{DockerName(vendor)}";

    /// <summary>
    /// The container of <paramref name="vendor"/>. Its ports are published on the host ports <paramref name="ports"/>
    /// assigns (chosen before the services' environment is resolved, so that theirs point there). A named volume is the
    /// workspace's own (<c>orchestra-&lt;workspace&gt;-&lt;name&gt;</c>, as compose prefixes the project), so two workspaces never share data.
    /// </summary>
    public static ContainerSpec SpecOf(Workspace workspace, VendorConfig vendor, VendorPortTable ports) => new()
    {
        Name = NameOf(workspace, vendor.Name),
        Image = vendor.Image,
        Workspace = workspace.Root,
        Service = vendor.Name,
        StateDirectory = workspace.StateDirectory,
        Environment = vendor.Env.GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Last().Value),
        Ports = ports.Of(vendor.Name).Select(p => new PublishedPort(p.ContainerPort, p.HostPort)).ToList(),
        Volumes = vendor.Volumes.Select(v => v.Named ? $"orchestra-{DockerName(workspace.Name)}-{v}" : v.ToString()).ToList(),
        // Always on the workspace's network, as its name: harmless on the host, and `start --docker` reaches it there.
        Network = NetworkOf(workspace),
        Health = vendor.Health.Kind switch
        {
            VendorHealthKind.Command => ContainerHealth.Exec(vendor.Health.Command, vendor.Health.Interval, vendor.Health.Timeout),
            VendorHealthKind.Tcp => ContainerHealth.Of(new HealthConfig(HealthKind.Tcp, null, vendor.Health.Interval, vendor.Health.Timeout)),
            _ => ContainerHealth.Of(new HealthConfig(HealthKind.None, null, vendor.Health.Interval, vendor.Health.Timeout)),
        },
        Restart = workspace.Config.Defaults.Restart,
        StopSignal = vendor.Stop.Signal,
        StopTimeout = vendor.Stop.Timeout,
    };

    /// <summary>The workspace's Docker network, <c>orchestra-&lt;workspace&gt;</c>: its vendors and its services in containers share it.</summary>
    public static string NetworkOf(Workspace workspace) => $"orchestra-{DockerName(workspace.Name)}";

    /// <summary>A name in the characters Docker allows: lower case letters, digits, <c>_ . -</c>.</summary>
    public static string DockerName(string name)
    {
        var cleaned = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray()).Trim('-', '.', '_');
        return cleaned.Length > 0 ? cleaned : "workspace";
    }
}
