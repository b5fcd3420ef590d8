using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Orchestra.Errors;
using Orchestra.Discovery;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.State;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Reliability;
using Orchestra.Supervisor.Rerun;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// The supervisor's work, as requests come in: one at a time through the fleet gate (a stop interrupts the others),
/// and a failed start rolled back. The replicas, processes and vendors' containers alike, live in the
/// <see cref="ReplicaTable"/>, whose one stream of changes the routing, the event log and the state file follow; the
/// start waves, the rollout, the vendors, the rerun, the status and the adoption are parts of their own.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class FleetSupervisor : IControlHandler, IAsyncDisposable
{
    private readonly LoadedWorkspace _workspace;
    private readonly StateStore _state;
    private readonly LaunchStore _launches;
    private readonly ReplicaTable _table = new();
    private readonly FleetGate _gate = new();
    private readonly ServiceProxies _proxies = new();
    private readonly ILogger _log;
    private readonly ServiceRollout _rollout;
    private readonly RerunCoordinator _reruns;
    private readonly FleetStatus _status;
    private readonly SurvivorAdoption _adoption;
    private readonly VendorRollout _vendors;
    private readonly StartWaves _waves;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly IProcessHost _host;
    private readonly DockerConnection _docker = new();
    private readonly ContainerReplicas _containers;
    private readonly StatePersistence _persistence;
    private string? _recoveryNote;

    /// <param name="workspace">The workspace as the supervisor read it at its start.</param>
    /// <param name="buildHost">The tool's hidden <c>__buildhost</c> command, the process that rebuilds services whose files changed.</param>
    /// <param name="log">The supervisor's own log: reruns, their build errors and faults are written there.</param>
    /// <param name="runners">How replicas are run; processes unless a test gives another runner.</param>
    public FleetSupervisor(LoadedWorkspace workspace, IProcessHost host, RuntimeOptions options, ProcessCommand buildHost, ILogger log, ReplicaRunnerFactory? runners = null)
    {
        (_host, _log, _workspace) = (host, log, workspace);
        var stateDirectory = _workspace.Current.StateDirectory;
        _state = new StateStore(stateDirectory);
        _launches = new LaunchStore(stateDirectory);
        var events = new ServiceEventLog(ReplicaLogFiles.DirectoryIn(stateDirectory), options.Time);
        var containers = _containers = new ContainerReplicas(_workspace, _docker, options);
        var processes = runners ?? (spec => new ReplicaRunner(spec, host, options, _state.Find(spec.Service, spec.Replica)));
        runners = spec => spec.Container is null ? processes(spec) : containers.RunnerFor(spec, _state.Find(spec.Service, spec.Replica));
        var specs = new ReplicaSpecs(_workspace, _launches, _state);
        var surges = new SurgeLedger(stateDirectory);
        var router = new ProxyRouter(_table, _proxies, _workspace);
        _ = new ReplicaEventWriter(_table, events, _log);
        _persistence = new StatePersistence(_table, _state, options.Time, _log);
        var (rerunFailures, rerunPhases) = (new RerunFailures(), new RerunPhases());
        _status = new FleetStatus(_table, _state, _workspace, _launches, rerunFailures, rerunPhases, service => _reruns?.IsWatching(service) == true);
        _rollout = new ServiceRollout(_table, runners, specs, _launches, _state, _workspace, _proxies, router, new OutsideCopyPolicy(host, options, _table), _status, events, containers, surges);
        _reruns = new RerunCoordinator(_gate, _rollout, new ServiceRebuilder(buildHost, _log), _launches, _workspace, _table, rerunFailures, rerunPhases, events, _log, options.Time);
        _vendors = new VendorRollout(_table, _state, _workspace, options, _status, _docker);
        _waves = new StartWaves(_workspace, _launches, _rollout, _reruns, _vendors);
        _adoption = new SurvivorAdoption(host, _state, _workspace, specs, _table, runners, _rollout, _reruns, surges);
    }

    /// <summary>Cancelled when a client asks the supervisor to end, or a failed start leaves it nothing to run.</summary>
    public CancellationToken ShutdownRequested => _shutdown.Token;

    /// <summary>
    /// Adopts what a previous supervisor left running and listens on the public ports of the adopted services again.
    /// Returns what the user should hear of it (a recovered state file, a port that cannot be listened on).
    /// </summary>
    public async Task<string?> AdoptSurvivorsAsync()
    {
        // The replicas first: their adoption reads the state file, which any change to the table rewrites.
        _recoveryNote = await _adoption.AdoptAsync();
        await _vendors.AdoptAsync(_shutdown.Token);
        return _recoveryNote;
    }

    public async Task<ControlEvent> HandleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        if (request.Op == ControlOp.Ping)
            return new ControlEvent();
        if (request.Op == ControlOp.Status)
            return _status.Report(request.Services, Interlocked.Exchange(ref _recoveryNote, null));
        // A stop never waits behind a start, restart, scale or rollout of the same services: it interrupts it.
        using var work = await _gate.EnterAsync(RequestScope.Of(request, _vendors.Names), preempt: request.Op is ControlOp.Stop or ControlOp.Shutdown, cancellationToken);
        try
        {
            return request.Op switch
            {
                ControlOp.Start => await StartAsync(request, progress, work.Token),
                ControlOp.Restart => await RestartAsync(request, progress, work.Token),
                ControlOp.Stop => await StopAsync(request.Services, progress, work.Token),
                ControlOp.Shutdown => await ShutdownAsync(progress, work.Token),
                ControlOp.Scale => await ScaleAsync(request, progress, work.Token),
                ControlOp.VendorsUp => await _waves.VendorsAsync(request, progress, work.Token),
                ControlOp.VendorsDown => new ControlEvent { Replicas = await _vendors.DownAsync(request.Vendors, request.RemoveVolumes, request.DockerHost, work.Token) },
                _ => new ControlEvent { Failure = new($"The supervisor does not know the operation '{request.Op.ToString().ToLowerInvariant()}'.", FailureKind.Usage) },
            };
        }
        catch (OperationCanceledException) when (work.Preempted)
        {
            return new ControlEvent { Failure = new($"The {request.Op.ToString().ToLowerInvariant()} was interrupted by a stop.") };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ControlEvent { Failure = new($"The {request.Op.ToString().ToLowerInvariant()} failed: Orchestra cannot write its state folder ({e.Message.TrimEnd('.')}).") };
        }
        finally
        {
            _persistence.Flush();
        }
    }

    /// <summary>
    /// A start that fails (a service not healthy, a port held by a stranger, a stop, the client gone) leaves the fleet
    /// as it found it unless asked to keep what started: the services it started are stopped again, and a supervisor
    /// left with nothing to look after ends.
    /// </summary>
    private async Task<ControlEvent> StartAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        _workspace.ReloadUnlessNewer(request.WorkspaceReadAt);
        var runningBefore = _table.Services();
        ControlEvent? outcome = null;
        try
        {
            outcome = await _waves.StartAsync(request, progress, cancellationToken);
            return outcome;
        }
        finally
        {
            if (outcome is not { Failure: null } && !request.KeepOnFailure)
                await RollBackAsync(request.Services.Except(runningBefore).ToList());
        }
    }

    private async Task RollBackAsync(IReadOnlyList<string> started)
    {
        // Not cancellable: the request was cancelled or failed already, and this is what makes it leave nothing behind.
        if (started.Count > 0)
            await StopAsync(started, _ => Task.CompletedTask, CancellationToken.None);
        if (_table.Services().Count == 0)
        {
            _log.IdleAfterFailedStart();
            await _reruns.DisposeAsync();
            await _proxies.DisposeAsync();
            await _shutdown.CancelAsync();
        }
    }

    /// <summary>Brings each named service to its new replica count. Only a service that was started before can be scaled.</summary>
    private async Task<ControlEvent> ScaleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        var workspace = _workspace.ReloadUnlessNewer(request.WorkspaceReadAt);
        var replicas = new List<ReplicaStatus>();
        foreach (var (name, count) in request.Scales)
        {
            if (workspace.FindService(name) is not { } service || _launches.Find(name) is null)
                return new ControlEvent { Failure = new($"Service '{name}' has not been started; start it first."), Replicas = replicas };
            _rollout.SetScale(name, count);
            var outcome = await _rollout.StartAsync(service, rebuilt: false, progress, cancellationToken);
            replicas.AddRange(outcome.Replicas);
            if (outcome.Failure is not null)
                return new ControlEvent { Failure = outcome.Failure, Replicas = replicas };
        }
        return new ControlEvent { Replicas = replicas };
    }

    /// <summary>
    /// Replaces the replicas of the named services: rolling behind the port proxy; a service without it is stopped
    /// first, since its new replica needs the port.
    /// </summary>
    private async Task<ControlEvent> RestartAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        var workspace = _workspace.Reload();
        var stopFirst = request.Services.Where(n => workspace.FindService(n) is not { UsesProxy: true }).ToList();
        if (stopFirst.Count > 0)
            await _rollout.StopAsync(stopFirst, progress, cancellationToken);
        return await _waves.StartAsync(request with { Rebuilt = request.Services }, progress, cancellationToken);
    }

    private async Task<ControlEvent> StopAsync(IReadOnlyList<string> services, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        var stopped = await _rollout.StopAsync(services, progress, cancellationToken);
        // Unlike a restart, which keeps the public port open so that clients wait for the new replicas.
        foreach (var service in stopped.Select(r => r.Service).Distinct())
        {
            await _reruns.ForgetAsync(service);
            await _proxies.CloseAsync(service);
        }
        await _containers.ReleaseNetworkAsync(cancellationToken);
        return new ControlEvent { Replicas = stopped };
    }

    private async Task<ControlEvent> ShutdownAsync(Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        await _reruns.DisposeAsync();
        var stopped = await _rollout.StopAsync([], progress, cancellationToken);
        await _containers.ReleaseNetworkAsync(cancellationToken);
        await _proxies.DisposeAsync();
        await _shutdown.CancelAsync();
        return new ControlEvent { Replicas = stopped, Message = "supervisor stopped" };
    }

    /// <summary>Writes the state and launch files again from memory: the state folder was deleted and made again.</summary>
    public void PersistState()
    {
        StateFolder.EnsureSubfolder(ReplicaLogFiles.DirectoryIn(_workspace.Current.StateDirectory));
        _state.Save();
        _launches.Save([]);
    }

    /// <summary>SIGKILL to every replica's process group, now, without waiting: the second Ctrl-C.</summary>
    public void KillAll()
    {
        foreach (var process in _table.Processes())
            _host.SignalGroup(process, StopSignals.Kill);
    }

    /// <summary>Detaches from every replica without stopping it: they live on for the next supervisor.</summary>
    public async ValueTask DisposeAsync()
    {
        await _reruns.DisposeAsync();
        await _proxies.DisposeAsync();
        foreach (var replica in _table.Snapshot())
        {
            await replica.Runner.DisposeAsync();
            _table.Remove(replica.Runner);
        }
        // After the runners: detaching commits their last offsets.
        await _persistence.DisposeAsync();
        _docker.Dispose();
        _gate.Dispose();
        _shutdown.Dispose();
    }
}
