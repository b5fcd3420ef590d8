using System.Runtime.Versioning;
using Orchestra.State;
using Orchestra.Discovery;
using Orchestra.Errors;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Reliability;
using Orchestra.Vendors.Containers;
using Orchestra.Vendors.Engine;
using Orchestra.Vendors.Vendors;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// Brings the workspace's vendors up and down: each a container replica in the same table as the services' replicas,
/// with the same lifecycle, health, logs, restart policy and state. An unchanged vendor that runs is left as it is,
/// so a second <c>up</c> costs a lookup; the containers outlive the supervisor and the next one adopts them by label.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class VendorRollout(ReplicaTable table, StateStore state, LoadedWorkspace workspace, RuntimeOptions options, FleetStatus status, DockerConnection docker)
{
    /// <summary>The vendor names of the workspace.</summary>
    public IReadOnlySet<string> Names => workspace.Current.Vendors.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Starts the named vendors (all when none are named) and those they depend on, waits until each is healthy, and
    /// reports the first that is not with its last lines. <paramref name="dockerHost"/> is the requester's <c>DOCKER_HOST</c>.
    /// </summary>
    public async Task<ServiceStart> UpAsync(IReadOnlyList<string> names, string? dockerHost, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        var current = workspace.Current;
        var waves = VendorSelection.Waves(current, names);
        if (waves.Count == 0)
            return new ServiceStart([], null);
        DockerEngine engine;
        try
        {
            engine = await docker.ConnectAsync(dockerHost, cancellationToken);
        }
        catch (OrchestraException e)
        {
            return ServiceStart.Failed(e.Message);
        }
        // The ports the services' environment was planned with; chosen here for a vendor that never ran.
        var ports = new VendorPortAssignments(current.StateDirectory).Assign(current.Vendors);
        var statuses = new List<ReplicaStatus>();
        foreach (var wave in waves)
        {
            var settled = new List<IReplicaRunner>();
            foreach (var vendor in wave)
            {
                try
                {
                    settled.Add(await EnsureRunningAsync(new ContainerCatalog(engine), VendorContainers.SpecOf(current, vendor, ports), engine, progress, cancellationToken));
                }
                catch (OrchestraException e)
                {
                    return new ServiceStart(statuses, new ControlFailure(e.Message));
                }
            }
            var states = await Task.WhenAll(settled.Select(r => r.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken)));
            statuses.AddRange(settled.Select(r => status.Of(r.Current)));
            if (!states.All(s => s == ReplicaState.Healthy))
                return new ServiceStart(statuses, new ControlFailure(await NotHealthyAsync(settled.First(r => r.Current.State != ReplicaState.Healthy), cancellationToken)));
        }
        return new ServiceStart(statuses, null);
    }

    /// <summary>The vendor's runner: the one running when its container is unchanged, else a new one on a container made or reused.</summary>
    private async Task<IReplicaRunner> EnsureRunningAsync(ContainerCatalog catalog, ContainerSpec spec, DockerEngine engine, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        if (table.Find(spec.Service, spec.Replica) is ContainerRunner running && running.Spec.ConfigurationHash == spec.ConfigurationHash
            && running.Current.State is ReplicaState.Healthy or ReplicaState.Starting)
            return running;
        if (await catalog.InspectAsync(spec.Name, cancellationToken) is not { State.Running: true })
            ThrowIfPortHeld(spec);
        // The old runner stops first. Left running while its container is replaced, it saw the container die and
        // restarted it: its own spec, found under the name the new container now had, made it remove that one in turn.
        if (table.Find(spec.Service, spec.Replica) is { } old)
            await StopAsync(old, cancellationToken);
        await catalog.EnsureAsync(spec, message => progress(new ControlEvent { Service = spec.Service, Message = message }), cancellationToken);
        var runner = new ContainerRunner(spec, engine, options, state.Find(spec.Service, spec.Replica));
        table.Add(runner);
        runner.Start();
        await progress(new ControlEvent { Service = spec.Service, Message = "starting" });
        return runner;
    }

    /// <summary>A host port the vendor publishes is held by a process (not its own container, which is not running): named, as for a service.</summary>
    private static void ThrowIfPortHeld(ContainerSpec spec)
    {
        foreach (var port in spec.Ports)
        {
            if (PortOwners.ListeningOn(port.HostPort) is [var pid, ..])
                throw new ContainerStartException(spec.Name, $"it is held by pid {pid} {string.Join(' ', ProcFs.CommandLine(pid)).ReplaceLineEndings(" ")}; stop it or give vendor '{spec.Service}' another port", port.HostPort);
        }
    }

    /// <summary>
    /// Why a vendor did not get healthy, with its last lines. It is stopped, not left restarting in the background:
    /// the user hears why, once.
    /// </summary>
    private async Task<string> NotHealthyAsync(IReplicaRunner bad, CancellationToken cancellationToken)
    {
        var record = bad.Current;
        // Stopped first: its output is collected to the end, so the lines are its last.
        await StopAsync(bad, cancellationToken);
        var lines = status.LastLines(record.Service, record.Replica);
        var why = record.LastExit is { } exit ? $" ({exit})" : "";
        var last = lines.Count > 0 ? $" Its last lines:\n{string.Join('\n', lines)}" : " It printed nothing.";
        return $"Vendor '{record.Service}' did not become healthy: it is {record.State.Word()}{why}.{last}";
    }

    /// <summary>
    /// Stops the named vendors (all when none are named) and removes their containers, the ones this supervisor runs and
    /// any other the workspace's label finds; with <paramref name="volumes"/>, their named volumes too.
    /// </summary>
    public async Task<List<ReplicaStatus>> DownAsync(IReadOnlyList<string> names, bool volumes, string? dockerHost, CancellationToken cancellationToken)
    {
        var stopped = new List<ReplicaStatus>();
        foreach (var view in table.Snapshot().Where(v => v.Runner is ContainerRunner { Spec.IsServiceReplica: false } && (names.Count == 0 || names.Contains(v.Record.Service))))
        {
            await StopAsync(view.Runner, cancellationToken);
            stopped.Add(status.Of(view.Runner.Current));
        }
        var engine = await docker.ConnectAsync(dockerHost, cancellationToken);
        var catalog = new ContainerCatalog(engine);
        foreach (var vendor in await catalog.RemoveAllAsync(workspace.Current.Root, names, volumes, cancellationToken))
            state.Remove(vendor, 0);
        // The network goes with the last container on it; services still running in containers keep it.
        await catalog.RemoveNetworkIfUnusedAsync(VendorContainers.NetworkOf(workspace.Current), workspace.Current.Root, cancellationToken);
        return stopped;
    }

    /// <summary>Follows the workspace's vendor containers that run (a previous supervisor's, by label).</summary>
    public async Task AdoptAsync(CancellationToken cancellationToken)
    {
        var current = workspace.Current;
        if (current.Vendors.Count == 0)
            return;
        DockerEngine engine;
        try
        {
            engine = await docker.ConnectAsync(Environment.GetEnvironmentVariable("DOCKER_HOST"), cancellationToken);
        }
        catch (OrchestraException)
        {
            // No engine: nothing of ours can run in it, and the services do not need one.
            return;
        }
        var ports = new VendorPortAssignments(current.StateDirectory).Known(current.Vendors);
        foreach (var container in await new ContainerCatalog(engine).ListAsync(current.Root, cancellationToken))
        {
            if (!container.Running || current.Vendors.FirstOrDefault(v => v.Name == container.Service) is not { } vendor || table.Find(vendor.Name, 0) is not null)
                continue;
            var recorded = state.Find(vendor.Name, 0);
            var runner = new ContainerRunner(VendorContainers.SpecOf(current, vendor, ports), engine, options, recorded);
            runner.Adopt((recorded ?? runner.Current) with { ContainerId = container.Id });
            table.Add(runner);
        }
    }

    private async Task StopAsync(IReplicaRunner runner, CancellationToken cancellationToken)
    {
        await runner.StopAsync(cancellationToken);
        await runner.DisposeAsync();
        table.Remove(runner);
    }

}
