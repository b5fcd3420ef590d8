using System.Runtime.Versioning;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Proxy;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Reliability;
using Orchestra.Launching;

namespace Orchestra.Supervisor.Fleet;

/// <summary>How starting one service ended: its replicas as they settled, and why it failed, if it did.</summary>
internal sealed record ServiceStart(IReadOnlyList<ReplicaStatus> Replicas, ControlFailure? Failure)
{
    public static ServiceStart Failed(string why) => new([], new ControlFailure(why));
}

/// <summary>
/// Brings a service's replicas to what is asked: starts the missing ones, replaces the ones of an older build one at a
/// time behind the proxy (each waited for until healthy, the old one drained first), retires those above the scale,
/// and stops services in reverse dependency order. Called by one request at a time (the fleet gate).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ServiceRollout(
    ReplicaTable table, ReplicaRunnerFactory runners, ReplicaSpecs specs, LaunchStore launches, StateStore state,
    LoadedWorkspace workspace, ServiceProxies proxies, ProxyRouter router, OutsideCopyPolicy outside, FleetStatus status, ServiceEventLog events,
    ContainerReplicas containers)
{
    // Replica counts set by `scale` or `start --scale`, in force until the service is stopped.
    private readonly Dictionary<string, int> _scales = [];

    public void SetScale(string service, int count) => _scales[service] = count;

    /// <summary>
    /// Starts every replica of a service that does not run healthy already (or that runs another build), and waits
    /// until each settles. Behind the port proxy, a running replica is replaced one at a time: the next only once the
    /// new one is healthy, so the others keep serving, and a build that does not get healthy stops the rollout with
    /// the rest still running the previous one.
    /// </summary>
    public async Task<ServiceStart> StartAsync(ServiceDefinition service, bool rebuilt, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        if (launches.Find(service.Name) is not { } launch)
            return ServiceStart.Failed($"Service '{service.Name}' has no built program to run.");
        if (await containers.PrepareAsync(service, launch, progress, cancellationToken) is { } dockerProblem)
            return ServiceStart.Failed(dockerProblem);
        if (await outside.ClearAsync(service, launch, progress, cancellationToken) is { } refusal)
            return ServiceStart.Failed(refusal);
        if (service.UsesProxy && await OpenProxyAsync(service) is { } portProblem)
            return ServiceStart.Failed(portProblem);

        var scale = _scales.GetValueOrDefault(service.Name, service.Scale);
        var started = new List<IReplicaRunner>();
        var settled = new List<IReplicaRunner>();
        // Replicas that run nowhere yet (a scale up, a first start) are spawned together first; replacements follow,
        // one at a time.
        var fresh = Enumerable.Range(0, scale).Where(r => table.Find(service.Name, r) is null)
            .Select(r => runners(specs.For(service, launch, r, specs.PortFor(service, r)))).ToList();
        foreach (var runner in fresh)
            table.Add(runner);
        await SpawnBurst.StartAllAsync(fresh, cancellationToken);
        started.AddRange(fresh);
        settled.AddRange(fresh);
        for (var replica = 0; replica < scale; replica++)
        {
            if (table.Find(service.Name, replica) is not { } running || fresh.Contains(running))
                continue;
            if (!rebuilt && running.Current.State is ReplicaState.Healthy or ReplicaState.Starting
                && (launch.Build is null || running.Current.Build == launch.Build))
            {
                settled.Add(running);
                continue;
            }
            await RetireAsync(service, running, cancellationToken);
            var runner = runners(specs.For(service, launch, replica, specs.PortFor(service, replica)));
            table.Add(runner);
            runner.Start();
            started.Add(runner);
            settled.Add(runner);
            if (service.UsesProxy && await runner.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken) != ReplicaState.Healthy)
                break;
        }
        // Progress tells what happened: a scale down starts nothing, so it says so rather than "starting".
        var removed = await RemoveAboveAsync(service, scale, cancellationToken);
        if (started.Count > 0)
            await progress(new ControlEvent { Service = service.Name, Message = "starting" });
        else if (removed > 0)
            await progress(new ControlEvent { Service = service.Name, Message = $"scaled down to {scale}" });

        var states = await Task.WhenAll(settled.Select(r => r.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken)));
        var statuses = settled.Select(r => status.Of(r.Current)).ToList();
        if (states.All(s => s == ReplicaState.Healthy))
        {
            if (started.Count > 0)
                await progress(new ControlEvent { Service = service.Name, Message = "healthy" });
            return new ServiceStart(statuses, null);
        }
        var bad = settled.First(r => r.Current.State != ReplicaState.Healthy).Current;
        var why = bad.LastExit is { } exit ? $" ({exit})" : "";
        statuses = statuses.Select(s => s.Service == bad.Service && s.Replica == bad.Replica ? s with { LastLines = status.LastLines(bad.Service, bad.Replica) } : s).ToList();
        return new ServiceStart(statuses, new ControlFailure($"Service '{service.Name}' did not become healthy: it is {bad.State.Word()}{why}."));
    }

    /// <summary>Stops the named services' replicas (all when none are named), dependents first, each wave at once.</summary>
    public async Task<List<ReplicaStatus>> StopAsync(IReadOnlyList<string> services, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        // Stopping every service leaves the vendors running: they are stopped by name, or by `vendors down`.
        var names = services.Count > 0 ? services.ToHashSet() : table.Services().Except(workspace.Current.Vendors.Select(v => v.Name)).ToHashSet();
        var definitions = workspace.Current.Services.Where(s => names.Contains(s.Name)).ToList();
        // Services no longer in the configuration still have replicas to stop: they go last, in a wave of their own.
        var waves = DependencyOrder.StopWaves(definitions).Select(w => w.Select(s => s.Name).ToList()).ToList();
        waves.Add(names.Except(definitions.Select(d => d.Name)).ToList());
        var stopped = new List<ReplicaStatus>();
        foreach (var wave in waves)
        {
            var replicas = table.Snapshot().Where(v => wave.Contains(v.Record.Service)).Select(v => v.Runner).ToList();
            await Task.WhenAll(replicas.Select(async runner =>
            {
                await runner.StopAsync(cancellationToken);
                await runner.DisposeAsync();
            }));
            foreach (var runner in replicas)
            {
                stopped.Add(status.Of(runner.Current));
                table.Remove(runner);
            }
            foreach (var service in wave.Where(s => replicas.Any(r => r.Current.Service == s)))
                await progress(new ControlEvent { Service = service, Message = "stopped" });
        }
        foreach (var service in stopped.Select(r => r.Service).Distinct())
            _scales.Remove(service);
        return stopped;
    }

    /// <summary>Listens on the service's public port; a sentence when it cannot.</summary>
    public async Task<string?> OpenProxyAsync(ServiceDefinition service)
    {
        try
        {
            await proxies.OpenAsync(service.Name, service.Port!.Value);
            router.Route(service.Name);
            return null;
        }
        catch (PortUnavailableException e)
        {
            return $"Service '{service.Name}' cannot be reached on its port: {e.Message}";
        }
    }

    /// <summary>
    /// Stops a replica that is replaced or scaled away. Behind the proxy it first leaves the routes and keeps the
    /// connections it has until they finish (or <c>stop.drain</c> passes), so that no accepted request is cut.
    /// </summary>
    private async Task RetireAsync(ServiceDefinition service, IReplicaRunner runner, CancellationToken cancellationToken)
    {
        if (service.UsesProxy && runner.Current is { State: ReplicaState.Healthy, Port: { } port })
        {
            table.Drain(runner);
            if (!await proxies.DrainAsync(service.Name, port, service.DrainTimeout, cancellationToken))
                events.Write(service.Name, LogStream.Stderr, [$"replica {runner.Current.Replica}: connections still open after {DurationParser.Format(service.DrainTimeout)} of draining; stopping it anyway"]);
        }
        await runner.StopAsync(cancellationToken);
        await runner.DisposeAsync();
        table.Remove(runner);
    }

    /// <summary>Stops the replicas numbered <paramref name="scale"/> and above, and forgets their records; returns how many ran.</summary>
    private async Task<int> RemoveAboveAsync(ServiceDefinition service, int scale, CancellationToken cancellationToken)
    {
        var above = table.Snapshot(service.Name).Where(v => v.Record.Replica >= scale).Select(v => v.Runner).ToList();
        // All at once: each waits for its own drain and exit, and 50 → 1 one after the other took 49 of those waits.
        await Task.WhenAll(above.Select(async runner =>
        {
            await RetireAsync(service, runner, cancellationToken);
            state.Remove(service.Name, runner.Current.Replica);
        }));
        // Records of replicas stopped earlier (a stop, then a start with fewer) would show in ps as stopped replicas.
        foreach (var stale in state.Replicas.Where(r => r.Service == service.Name && r.Replica >= scale && table.Find(r.Service, r.Replica) is null).ToList())
            state.Remove(stale.Service, stale.Replica);
        return above.Count;
    }
}
