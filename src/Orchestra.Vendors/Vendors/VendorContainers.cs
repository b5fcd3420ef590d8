using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Vendors.Containers;

namespace Orchestra.Vendors.Vendors;

/// <summary>What a vendor of orchestra.yml is in Docker: its container's name, image, ports, volumes and policies.</summary>
public static class VendorContainers
{
    /// <summary><c>orchestra-&lt;workspace&gt;-&lt;vendor&gt;</c>, in the characters Docker allows in a name.</summary>
    public static string NameOf(Workspace workspace, string vendor) => $"orchestra-{DockerName(workspace.Name)}-{DockerName(vendor)}";

    /// <summary>
    /// The container of <paramref name="vendor"/>. Its ports are published on the host ports <paramref name="hostPort"/>
    /// gives (chosen before the services' environment is resolved, so that theirs point there). A named volume is the
    /// workspace's own (<c>orchestra-&lt;workspace&gt;-&lt;name&gt;</c>, as compose prefixes the project), so two workspaces never share data.
    /// </summary>
    public static ContainerSpec SpecOf(Workspace workspace, VendorConfig vendor, Func<VendorPort, int> hostPort) => new()
    {
        Name = NameOf(workspace, vendor.Name),
        Image = vendor.Image,
        Workspace = workspace.Root,
        Service = vendor.Name,
        StateDirectory = workspace.StateDirectory,
        Environment = vendor.Env.GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Last().Value),
        Ports = vendor.Ports.Select(p => new PublishedPort(p.ContainerPort, hostPort(p))).ToList(),
        Volumes = vendor.Volumes.Select(v => VolumeOf(workspace, v)).ToList(),
        Health = vendor.Health is { } health
            ? new ContainerHealth(ContainerHealthKind.Command, health.Command, health.Interval, health.Timeout)
            : ContainerHealth.None,
        Restart = workspace.Config.Defaults.Restart,
        StopTimeout = workspace.Config.Defaults.StopTimeout,
    };

    private static string VolumeOf(Workspace workspace, string volume)
    {
        var colon = volume.IndexOf(':');
        if (colon <= 0)
            return volume;
        var source = volume[..colon];
        if (source.StartsWith('/'))
            return volume;
        if (source.StartsWith('.'))
            return Path.GetFullPath(Path.Combine(workspace.Root, source)) + volume[colon..];
        return $"orchestra-{DockerName(workspace.Name)}-{source}{volume[colon..]}";
    }

    private static string DockerName(string name)
    {
        var cleaned = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray()).Trim('-', '.', '_');
        return cleaned.Length > 0 ? cleaned : "workspace";
    }
}
