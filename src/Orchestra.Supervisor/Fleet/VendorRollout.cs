using System.Runtime.Versioning;
using Orchestra.Configuration;
using Orchestra.Errors;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Supervisor.Control;
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
internal sealed class VendorRollout(ReplicaTable table, StateStore state, LoadedWorkspace workspace, RuntimeOptions options, FleetStatus status)
    : IAsyncDisposable
{
    private DockerEngine? _engine;

    /// <summary>The vendor names of the workspace.</summary>
    public IReadOnlySet<string> Names => workspace.Current.Vendors.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Starts the named vendors (all when none are named) and those they depend on, waits until each is healthy, and
    /// reports the first that is not with its last lines. <paramref name="dockerHost"/> is the requester's <c>DOCKER_HOST</c>.
    /// </summary>
    public async Task<ServiceStart> UpAsync(IReadOnlyList<string> names, string? dockerHost, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        var current = workspace.Current;
        var vendors = current.Vendors.Where(v => names.Count == 0 || names.Contains(v.Name)).ToList();
        if (vendors.Count == 0)
            return new ServiceStart([], null);
        DockerEngine engine;
        try
        {
            engine = await EngineAsync(dockerHost, cancellationToken);
        }
        catch (OrchestraException e)
        {
            return ServiceStart.Failed(e.Message);
        }
        var catalog = new ContainerCatalog(engine);
        var settled = new List<IReplicaRunner>();
        foreach (var vendor in vendors)
        {
            var spec = VendorContainers.SpecOf(current, vendor, HostPort);
            if (table.Find(vendor.Name, 0) is ContainerRunner running && running.Spec.ConfigurationHash == spec.ConfigurationHash
                && running.Current.State is ReplicaState.Healthy or ReplicaState.Starting)
            {
                settled.Add(running);
                continue;
            }
            try
            {
                await catalog.EnsureAsync(spec, message => progress(new ControlEvent { Service = vendor.Name, Message = message }), cancellationToken);
            }
            catch (OrchestraException e)
            {
                return new ServiceStart(settled.Select(r => status.Of(r.Current)).ToList(), new ControlFailure(e.Message));
            }
            if (table.Find(vendor.Name, 0) is { } old)
                await StopAsync(old, cancellationToken);
            var runner = new ContainerRunner(spec, engine, options, state.Find(vendor.Name, 0));
            table.Add(runner);
            runner.Start();
            await progress(new ControlEvent { Service = vendor.Name, Message = "starting" });
            settled.Add(runner);
        }
        var states = await Task.WhenAll(settled.Select(r => r.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken)));
        var statuses = settled.Select(r => status.Of(r.Current)).ToList();
        if (states.All(s => s == ReplicaState.Healthy))
            return new ServiceStart(statuses, null);
        var bad = settled.First(r => r.Current.State != ReplicaState.Healthy);
        var record = bad.Current;
        var lines = status.LastLines(record.Service, record.Replica);
        // A vendor that does not get healthy is not left restarting in the background: the user hears why, once.
        await StopAsync(bad, cancellationToken);
        var why = record.LastExit is { } exit ? $" ({exit})" : "";
        var last = lines.Count > 0 ? $" Its last lines:\n{string.Join('\n', lines)}" : " It printed nothing.";
        return new ServiceStart(statuses, new ControlFailure($"Vendor '{record.Service}' did not become healthy: it is {record.State.Word()}{why}.{last}"));
    }

    /// <summary>
    /// Stops the named vendors (all when none are named) and removes their containers, the ones this supervisor runs and
    /// any other the workspace's label finds; with <paramref name="volumes"/>, their named volumes too.
    /// </summary>
    public async Task<List<ReplicaStatus>> DownAsync(IReadOnlyList<string> names, bool volumes, string? dockerHost, CancellationToken cancellationToken)
    {
        var stopped = new List<ReplicaStatus>();
        foreach (var view in table.Snapshot().Where(v => v.Runner is ContainerRunner && (names.Count == 0 || names.Contains(v.Record.Service))))
        {
            await StopAsync(view.Runner, cancellationToken);
            stopped.Add(status.Of(view.Runner.Current));
        }
        var engine = await EngineAsync(dockerHost, cancellationToken);
        foreach (var vendor in await new ContainerCatalog(engine).RemoveAllAsync(workspace.Current.Root, names, volumes, cancellationToken))
            state.Remove(vendor, 0);
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
            engine = await EngineAsync(Environment.GetEnvironmentVariable("DOCKER_HOST"), cancellationToken);
        }
        catch (OrchestraException)
        {
            // No engine: nothing of ours can run in it, and the services do not need one.
            return;
        }
        foreach (var container in await new ContainerCatalog(engine).ListAsync(current.Root, cancellationToken))
        {
            if (!container.Running || current.Vendors.FirstOrDefault(v => v.Name == container.Service) is not { } vendor || table.Find(vendor.Name, 0) is not null)
                continue;
            var recorded = state.Find(vendor.Name, 0);
            var runner = new ContainerRunner(VendorContainers.SpecOf(current, vendor, HostPort), engine, options, recorded);
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

    private async Task<DockerEngine> EngineAsync(string? dockerHost, CancellationToken cancellationToken)
    {
        var endpoint = DockerEndpoint.From(dockerHost);
        if (_engine is { } engine && engine.Endpoint == endpoint)
            return engine;
        var connected = await DockerEngine.ConnectAsync(endpoint, cancellationToken);
        _engine?.Dispose();
        return _engine = connected;
    }

    private static int HostPort(VendorPort port) => port.HostPort ?? port.ContainerPort;

    public ValueTask DisposeAsync()
    {
        _engine?.Dispose();
        return ValueTask.CompletedTask;
    }
}
