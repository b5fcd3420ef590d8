using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Launching;
using Orchestra.Runtime.Replicas;
using Orchestra.Variables;
using Orchestra.Vendors.Containers;

namespace Orchestra.Vendors.Vendors;

/// <summary>
/// What a service's replica is in Docker under <c>start --docker</c>: its build output mounted read-only, run by the
/// image's <c>dotnet</c>, on the workspace's network under the service's name, its port published on 127.0.0.1 at the
/// replica's own port (the one the port proxy forwards to).
/// </summary>
public static class ServiceContainers
{
    /// <summary><c>orchestra-&lt;workspace&gt;-&lt;service&gt;-&lt;replica&gt;</c>.</summary>
    public static string NameOf(Workspace workspace, string service, int replica) =>
        $"{VendorContainers.NameOf(workspace, service)}-{replica}";

    /// <summary>The container of the replica <paramref name="spec"/> describes; its <see cref="ReplicaSpec.Container"/> must be set.</summary>
    public static ContainerSpec SpecOf(Workspace workspace, ServiceDefinition service, ReplicaSpec spec)
    {
        var container = spec.Container ?? throw new ArgumentException($"Replica {spec.Service}.{spec.Replica} does not run in a container.", nameof(spec));
        // Inside, every replica listens on the service's port (its own network namespace); outside, on its own.
        IReadOnlyList<PublishedPort> ports = service.Port is { } inside && spec.Port is { } outside ? [new PublishedPort(inside, outside)] : [];
        return new ContainerSpec
        {
            Name = NameOf(workspace, service.Name, spec.Replica),
            Image = container.Image,
            Workspace = workspace.Root,
            Service = service.Name,
            Replica = spec.Replica,
            IsServiceReplica = true,
            StateDirectory = workspace.StateDirectory,
            Command = [.. container.Command, .. service.Config.Args],
            // Without the recovery marker: a container's processes show in the host's /proc, and recovery from a lost
            // state file must never take one for a process replica. The container is found by its label.
            Environment = spec.Environment.Where(e => e.Key != EnvironmentResolver.WorkspaceMarker).ToDictionary(),
            Ports = ports,
            Volumes = [$"{container.OutputDirectory}:{ContainerLaunch.MountPoint}:ro"],
            Network = VendorContainers.NetworkOf(workspace),
            Health = ContainerHealth.Of(spec.Health),
            Restart = spec.Restart,
            StopSignal = spec.StopSignal,
            StopTimeout = spec.StopTimeout,
            Build = spec.Build,
        };
    }
}
