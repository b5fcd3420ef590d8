using Orchestra.Discovery;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Supervisor.Control;
using Orchestra.Variables;
using Orchestra.Launching;
using Orchestra.State;

namespace Orchestra.Supervisor.Fleet;

/// <summary>What a new replica runs: the launch spec of its service, its environment and its port.</summary>
internal sealed class ReplicaSpecs(LoadedWorkspace workspace, LaunchStore launches, StateStore state)
{
    /// <summary>The spec of a recorded replica, or null when its service or launch spec is gone.</summary>
    public ReplicaSpec? For(string service, int replica, int? port) =>
        workspace.Current.FindService(service) is { } definition && launches.Find(service) is { } launch
            ? For(definition, launch, replica, port)
            : null;

    public ReplicaSpec For(ServiceDefinition service, LaunchSpec launch, int replica, int? port)
    {
        var current = workspace.Current;
        // The environment of the shell and command that made the launch, never the supervisor's own; the vendors' ports
        // as the launch's planning assigned them.
        var vendorPorts = new VendorPortAssignments(current.StateDirectory).Known(current.Vendors);
        var network = launch.Container is null ? VendorNetwork.Loopback : VendorNetwork.Containers;
        var environment = new EnvironmentResolver(current, launch.Options.Environment, vendorPorts, network).Resolve(service, launch.Options.Command, replica, port);
        return ReplicaSpec.For(current, service, launch.Command, environment, replica, port) with
        {
            Build = launch.Build,
            WorkingDirectory = launch.WorkingDirectory ?? service.Directory,
            Container = launch.Container,
        };
    }

    /// <summary>
    /// The port a new process of the replica listens on: the service's own without the proxy; behind it, the port the
    /// replica had before when nothing holds it now (stable addresses in logs), else a free one.
    /// </summary>
    public int? PortFor(ServiceDefinition service, int replica)
    {
        if (!service.UsesProxy)
            return service.Port;
        var previous = state.Find(service.Name, replica)?.Port;
        return previous is { } kept && kept != service.Port && LoopbackPorts.IsFree(kept) ? kept : LoopbackPorts.Next();
    }
}
