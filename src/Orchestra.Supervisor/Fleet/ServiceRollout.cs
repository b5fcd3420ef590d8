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
/// time behind the proxy (each new one started beside the old and waited for until healthy, then the old one drained
/// and stopped), retires those above the scale, and stops services in reverse dependency order. Called by one request
/// at a time (the fleet gate).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ServiceRollout(
    ReplicaTable table, ReplicaRunnerFactory runners, ReplicaSpecs specs, LaunchStore launches, StateStore state,
    LoadedWorkspace workspace, ServiceProxies proxies, ProxyRouter router, OutsideCopyPolicy outside, FleetStatus status, ServiceEventLog events,
    ContainerReplicas containers, SurgeLedger surges)
{
    // Replica counts set by `scale` or `start --scale`, in force until the service is stopped.
    private readonly Dictionary<string, int> _scales = [];

    public void SetScale(string service, int count) => _scales[service] = count;

    /// <summary>
    /// Starts every replica of a service that does not run healthy already (or that runs another build), and waits
    /// until each settles. Behind the port proxy, a running replica is replaced one at a time by a surge replica beside
    /// it: the next only once the new one is healthy and the old one gone, so the port always has a replica to send to,
    /// and a build that does not get healthy stops the rollout with the rest still running the previous one.
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
        // Replica numbers name replicas, they are not places: a surge replacement leaves its service under another
        // number. The lowest-numbered replicas up to the scale stay, the others are scaled away, and new ones take
        // the lowest numbers free.
        var running = table.Snapshot(service.Name).Select(v => v.Runner).ToList();
        var kept = running.Take(scale).ToList();
        var started = new List<IReplicaRunner>();
        var settled = new List<IReplicaRunner>();
        // The replicas a scale up or a first start adds are spawned together; replacements follow, one at a time.
        var fresh = FreeNumbers(service.Name).Take(scale - kept.Count).ToList().Select(replica => Place(service, launch, replica)).ToList();
        await SpawnBurst.StartAllAsync(fresh, cancellationToken);
        started.AddRange(fresh);
        settled.AddRange(fresh);
        ReplicaRecord? failedSurge = null;
        foreach (var old in kept)
        {
            if (!rebuilt && old.Current.State is ReplicaState.Healthy or ReplicaState.Starting
                && (launch.Build is null || old.Current.Build == launch.Build))
            {
                settled.Add(old);
                continue;
            }
            if (service.UsesProxy && old.Current.State == ReplicaState.Healthy)
            {
                var (surge, failed) = await SurgeAsync(service, launch, old, cancellationToken);
                if (failed is not null)
                {
                    failedSurge = failed;
                    settled.Add(old);
                    break;
                }
                started.Add(surge);
                settled.Add(surge);
                continue;
            }
            // Without the proxy the new replica needs the old one's port, and two copies of a worker would both take
            // work: the old one stops first. A replica that does not serve (crashed, unhealthy) is not worth keeping.
            var number = old.Current.Replica;
            await RetireAsync(service, old, cancellationToken);
            var replacement = Spawn(service, launch, number);
            started.Add(replacement);
            settled.Add(replacement);
            if (service.UsesProxy
                && await replacement.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken) != ReplicaState.Healthy)
                break;
        }
        // Progress tells what happened: a scale down starts nothing, so it says so rather than "starting".
        var removed = await RemoveAsync(service, running.Skip(scale).ToList(), cancellationToken);
        if (started.Count > 0)
            await progress(new ControlEvent { Service = service.Name, Message = "starting" });
        else if (removed > 0)
            await progress(new ControlEvent { Service = service.Name, Message = $"scaled down to {scale}" });

        var states = await Task.WhenAll(settled.Select(r => r.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken)));
        var statuses = settled.Select(r => status.Of(r.Current)).ToList();
        if (failedSurge is null && states.All(s => s == ReplicaState.Healthy))
        {
            if (started.Count > 0)
                await progress(new ControlEvent { Service = service.Name, Message = "healthy" });
            return new ServiceStart(statuses, null);
        }
        // A surge that did not get healthy is stopped already: ps shows it no more, but the answer shows how it ended.
        var bad = failedSurge ?? settled.First(r => r.Current.State != ReplicaState.Healthy).Current;
        if (failedSurge is not null)
            statuses.Add(status.Of(failedSurge));
        var why = bad.LastExit is { } exit ? $" ({exit})" : "";
        statuses = statuses.Select(s => s.Service == bad.Service && s.Replica == bad.Replica ? s with { LastLines = status.LastLines(bad.Service, bad.Replica) } : s).ToList();
        return new ServiceStart(statuses, new ControlFailure($"Service '{service.Name}' did not become healthy: it is {bad.State.Word()}{why}."));
    }

    /// <summary>
    /// Replaces a healthy replica behind the proxy without a gap: the new one starts beside it under the lowest free
    /// number (its own port, log files and state record), the proxy routes to it once it is healthy, and only then
    /// does the old one leave the routes, drain and stop. A new one that does not get healthy is stopped, and the old
    /// one serves on. Returns the new replica, and its last record when it did not take over.
    /// </summary>
    private async Task<(IReplicaRunner Surge, ReplicaRecord? Failed)> SurgeAsync(ServiceDefinition service, LaunchSpec launch, IReplicaRunner old, CancellationToken cancellationToken)
    {
        var number = FreeNumbers(service.Name).First();
        // Before its process exists: a supervisor killed from here on leaves the next one knowing which to keep.
        surges.Begin(service.Name, number, old.Current.Replica);
        var surge = Spawn(service, launch, number);
        ReplicaState settledAs;
        try
        {
            settledAs = await surge.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Interrupted (a stop, the client gone): the old one still serves, and the surge must not stay as a replica
            // more than the scale.
            await ForgetAsync(surge, CancellationToken.None);
            throw;
        }
        if (settledAs != ReplicaState.Healthy)
        {
            var failed = surge.Current;
            await ForgetAsync(surge, cancellationToken);
            return (surge, failed);
        }
        // The router has added it to the routes as it turned healthy; from now on it is the replica that serves.
        surges.Switch(service.Name);
        try
        {
            await RetireAsync(service, old, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of the routes already: what it still serves is cut, as a stop would cut it.
            await StopAndRemoveAsync(old, CancellationToken.None);
            throw;
        }
        finally
        {
            state.Remove(service.Name, old.Current.Replica);
            surges.End(service.Name);
        }
        return (surge, null);
    }

    /// <summary>Stops a surge that will not take over and forgets it: its record and its entry in the ledger.</summary>
    private async Task ForgetAsync(IReplicaRunner surge, CancellationToken cancellationToken)
    {
        await StopAndRemoveAsync(surge, cancellationToken);
        state.Remove(surge.Current.Service, surge.Current.Replica);
        surges.End(surge.Current.Service);
    }

    /// <summary>A new replica in the table, started.</summary>
    private IReplicaRunner Spawn(ServiceDefinition service, LaunchSpec launch, int replica)
    {
        var runner = Place(service, launch, replica);
        runner.Start();
        return runner;
    }

    /// <summary>A new runner of the replica, in the table and not started yet.</summary>
    private IReplicaRunner Place(ServiceDefinition service, LaunchSpec launch, int replica)
    {
        var runner = runners(specs.For(service, launch, replica, specs.PortFor(service, replica)));
        table.Add(runner);
        return runner;
    }

    /// <summary>The replica numbers no runner of the service holds, lowest first.</summary>
    private IEnumerable<int> FreeNumbers(string service)
    {
        var taken = table.Snapshot(service).Select(v => v.Record.Replica).ToHashSet();
        return Enumerable.Range(0, int.MaxValue).Where(n => !taken.Contains(n));
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
        await StopAndRemoveAsync(runner, cancellationToken);
    }

    private async Task StopAndRemoveAsync(IReplicaRunner runner, CancellationToken cancellationToken)
    {
        await runner.StopAsync(cancellationToken);
        await runner.DisposeAsync();
        table.Remove(runner);
    }

    /// <summary>Stops the replicas scaled away and forgets their records; returns how many ran.</summary>
    private async Task<int> RemoveAsync(ServiceDefinition service, IReadOnlyList<IReplicaRunner> extra, CancellationToken cancellationToken)
    {
        // All at once: each waits for its own drain and exit, and 50 → 1 one after the other took 49 of those waits.
        await Task.WhenAll(extra.Select(async runner =>
        {
            await RetireAsync(service, runner, cancellationToken);
            state.Remove(service.Name, runner.Current.Replica);
        }));
        // Records of replicas stopped earlier (a stop, then a start with fewer; a switch a killed supervisor left)
        // would show in ps as stopped replicas.
        foreach (var stale in state.Replicas.Where(r => r.Service == service.Name && table.Find(r.Service, r.Replica) is null).ToList())
            state.Remove(stale.Service, stale.Replica);
        return extra.Count;
    }
}
