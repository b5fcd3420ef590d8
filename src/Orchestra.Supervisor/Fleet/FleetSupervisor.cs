using System.Runtime.Versioning;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Launching;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Proxy;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Runtime.Watch;
using Orchestra.State;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Reliability;
using Orchestra.Supervisor.Rerun;
using Orchestra.Variables;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// The supervisor's work: it owns a <see cref="ReplicaRunner"/> per replica, starts services in
/// <c>depends_on</c> order waiting for health, stops them in reverse, reports their status, and on start-up
/// adopts the replicas a previous supervisor left running.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class FleetSupervisor : IControlHandler, IAsyncDisposable
{
    private const int LastLinesShown = 20;
    private static readonly TimeSpan OutsideCopyGrace = TimeSpan.FromSeconds(5);

    private readonly string _configPath;
    private readonly IProcessHost _host;
    private readonly RuntimeOptions _options;
    private readonly StateStore _state;
    private readonly LaunchStore _launches;
    // Changed only by the request holding _gate, but read by KillAll from the signal thread, which cannot wait for a
    // request to finish: changes and that read take the dictionary's own lock.
    private readonly Dictionary<(string Service, int Replica), ReplicaRunner> _runners = [];
    // Replicas leaving the routes while their open connections finish; guarded by the _runners lock.
    private readonly HashSet<ReplicaRunner> _draining = [];
    private readonly FleetGate _gate = new();
    private readonly ServiceProxies _proxies = new();
    private readonly ServiceRebuilder _rebuilder;
    private readonly ServiceWatches _watches;
    private readonly TextWriter _log;
    private readonly ServiceEventLog _events;
    // Why the last rerun of a service did not build; read by status requests, which do not take the gate.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<string>> _buildErrors = new();
    // Replica counts set by `scale` or `start --scale`, in force until the service is stopped.
    private readonly Dictionary<string, int> _scales = [];
    private readonly CancellationTokenSource _shutdown = new();
    private Workspace _workspace;
    private string? _recoveryNote;

    /// <param name="prepare">The tool's hidden <c>__prepare</c> command, which rebuilds a service whose files changed.</param>
    /// <param name="log">The supervisor's own log: reruns and their build errors are written there.</param>
    public FleetSupervisor(string configPath, IProcessHost host, RuntimeOptions options, ProcessCommand prepare, TextWriter log)
    {
        _configPath = configPath;
        _host = host;
        _options = options;
        _log = TextWriter.Synchronized(log);
        _workspace = WorkspaceLoader.Load(configPath);
        _state = new StateStore(_workspace.StateDirectory);
        _state.SaveFaultChanged += fault => _log.WriteLine(fault is null
            ? $"{DateTimeOffset.UtcNow:O} the state file is written again"
            : $"{DateTimeOffset.UtcNow:O} {fault}; the fleet runs on and it is tried again with each change");
        _launches = new LaunchStore(_workspace.StateDirectory);
        _rebuilder = new ServiceRebuilder(prepare, _workspace.StateDirectory);
        _events = new ServiceEventLog(ReplicaLogFiles.DirectoryIn(_workspace.StateDirectory), options.Time);
        _watches = new ServiceWatches(RerunAsync, _log);
    }

    /// <summary>Cancelled when a client asks the supervisor to end.</summary>
    public CancellationToken ShutdownRequested => _shutdown.Token;

    /// <summary>
    /// Reads the state file and adopts every replica still alive, and every one the previous supervisor was about to
    /// restart (it is started again at once); the dead ones are recorded as stopped. The public ports of the adopted
    /// services are listened on again. Returns a sentence when the state file had to be recovered or a port could
    /// not be listened on.
    /// </summary>
    public async Task<string?> AdoptSurvivorsAsync()
    {
        var load = _state.Load(_host, _workspace.Root);
        var impostors = new List<string>();
        foreach (var record in load.Replicas)
        {
            var waitingToRestart = record.Process is null && record.State == ReplicaState.Restarting;
            if ((waitingToRestart || record.Process is { } process && _host.IsAlive(process)) && SpecFor(record.Service, record.Replica, record.Port) is { } spec)
            {
                // Found in /proc only by markers its children inherit: it must also run the replica's command.
                if (load.Recovered && record.Process is { } found && !RunsCommandOf(found, spec))
                {
                    impostors.Add($"pid {found.Pid} ({record.Service}.{record.Replica})");
                    _state.Remove(record.Service, record.Replica);
                    continue;
                }
                var runner = NewRunner(spec);
                runner.Adopt(record);
                SetRunner(record.Key, runner);
            }
            else if (record.Process is not null)
            {
                _state.Upsert(record with { State = ReplicaState.Stopped, Pid = 0, StartTime = 0, LastExit = "ended while no supervisor ran" });
            }
        }
        var problems = new List<string?> { load.Problem };
        if (impostors.Count > 0)
            problems.Add($"Not adopted, as they carry a replica's markers but do not run its command: {string.Join(", ", impostors)}; Orchestra does not stop them.");
        foreach (var service in _workspace.Services.Where(s => _runners.Keys.Any(k => k.Service == s.Name)))
        {
            if (service.UsesProxy)
                problems.Add(await OpenProxyAsync(service));
            await WatchForRerunAsync(service);
        }
        _recoveryNote = string.Join(" ", problems.OfType<string>()) is { Length: > 0 } note ? note : null;
        return _recoveryNote;
    }

    public async Task<ControlEvent> HandleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        if (request.Op == ControlOps.Ping)
            return new ControlEvent();
        if (request.Op == ControlOps.Status)
        {
            // A status is also a chance to write a state file that could not be written: the fault may have cleared.
            if (_state.SaveFault is not null)
                _state.Save();
            var notes = new[] { Interlocked.Exchange(ref _recoveryNote, null), _state.SaveFault is { } fault ? $"Orchestra runs on, but {fault}; fix the folder's permissions." : null };
            return new ControlEvent { Replicas = Status(request.Services), Message = string.Join(" ", notes.OfType<string>()) is { Length: > 0 } note ? note : null };
        }

        IReadOnlyCollection<string> concerned = request.Op switch
        {
            ControlOps.Shutdown => [],
            ControlOps.Scale => [.. request.Scales.Keys],
            _ => request.Services,
        };
        // A stop never waits behind a start, restart, scale or rollout of the same services: it interrupts it.
        using var work = await _gate.EnterAsync(concerned, preempt: request.Op is ControlOps.Stop or ControlOps.Shutdown, cancellationToken);
        try
        {
            return request.Op switch
            {
                ControlOps.Start => await StartAsync(request, progress, work.Token),
                ControlOps.Restart => await RestartAsync(request, progress, work.Token),
                ControlOps.Stop => await StopAsync(request.Services, progress, work.Token),
                ControlOps.Shutdown => await ShutdownAsync(progress, work.Token),
                ControlOps.Scale => await ScaleAsync(request, progress, work.Token),
                _ => new ControlEvent { ExitCode = 2, Error = $"The supervisor does not know the operation '{request.Op}'." },
            };
        }
        catch (OperationCanceledException) when (work.Preempted)
        {
            return new ControlEvent { ExitCode = 1, Error = $"The {request.Op} was interrupted by a stop." };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ControlEvent { ExitCode = 1, Error = $"The {request.Op} failed: Orchestra cannot write its state folder ({e.Message.TrimEnd('.')})." };
        }
    }

    /// <summary>
    /// A start that fails (a service not healthy, a port held by a stranger, a stop, the client gone) leaves the fleet
    /// as it found it unless asked to keep what started: the services it started are stopped again, and a supervisor
    /// left with nothing to look after ends.
    /// </summary>
    private async Task<ControlEvent> StartAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        _workspace = WorkspaceLoader.Load(_configPath);
        var runningBefore = RunningServices();
        ControlEvent? outcome = null;
        try
        {
            outcome = await StartLoadedAsync(request, progress, cancellationToken);
            return outcome;
        }
        finally
        {
            if (outcome is not { ExitCode: 0 } && !request.KeepOnFailure)
                await RollBackAsync(request.Services.Except(runningBefore).ToList());
        }
    }

    private HashSet<string> RunningServices()
    {
        lock (_runners)
            return _runners.Keys.Select(k => k.Service).ToHashSet();
    }

    private async Task RollBackAsync(IReadOnlyList<string> started)
    {
        // Not cancellable: the request was cancelled or failed already, and this is what makes it leave nothing behind.
        if (started.Count > 0)
            await StopAsync(started, _ => Task.CompletedTask, CancellationToken.None);
        if (RunningServices().Count == 0)
        {
            await _log.WriteLineAsync($"{DateTimeOffset.UtcNow:O} the start failed and nothing else runs; the supervisor ends");
            await _watches.DisposeAsync();
            await _proxies.DisposeAsync();
            await _shutdown.CancelAsync();
        }
    }

    /// <summary><see cref="StartAsync"/> on the workspace as last loaded.</summary>
    private async Task<ControlEvent> StartLoadedAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        _launches.Save(request.Launch);
        foreach (var (service, count) in request.Scales)
            _scales[service] = count;
        var services = request.Services.Select(n => _workspace.FindService(n)).OfType<ServiceDefinition>().ToList();
        var started = new List<ReplicaStatus>();
        foreach (var wave in DependencyOrder.Waves(services))
        {
            var outcomes = await Task.WhenAll(wave.Select(s => StartServiceAsync(s, request.Rebuilt.Contains(s.Name), progress, cancellationToken)));
            started.AddRange(outcomes.SelectMany(o => o.Replicas));
            foreach (var service in wave)
                await WatchForRerunAsync(service);
            if (outcomes.FirstOrDefault(o => o.Error is not null) is { } failed)
            {
                var waiting = services.Except(wave).Where(s => !started.Any(r => r.Service == s.Name)).Select(s => s.Name).ToList();
                var notStarted = waiting.Count > 0 ? $" Not started: {string.Join(", ", waiting)}." : "";
                return new ControlEvent { ExitCode = 1, Error = failed.Error + notStarted, Replicas = started };
            }
        }
        return new ControlEvent { Replicas = started };
    }

    /// <summary>
    /// Brings each named service to its new replica count: new replicas start (and are waited for), the highest
    /// numbered above the count stop. Only a service that was started before can be scaled.
    /// </summary>
    private async Task<ControlEvent> ScaleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        _workspace = WorkspaceLoader.Load(_configPath);
        var replicas = new List<ReplicaStatus>();
        foreach (var (name, count) in request.Scales)
        {
            if (_workspace.FindService(name) is not { } service || _launches.Find(name) is null)
                return new ControlEvent { ExitCode = 1, Error = $"Service '{name}' has not been started; start it first.", Replicas = replicas };
            _scales[name] = count;
            var outcome = await StartServiceAsync(service, rebuilt: false, progress, cancellationToken);
            replicas.AddRange(outcome.Replicas);
            if (outcome.Error is not null)
                return new ControlEvent { ExitCode = 1, Error = outcome.Error, Replicas = replicas };
        }
        return new ControlEvent { Replicas = replicas };
    }

    /// <summary>
    /// Replaces the replicas of the named services. Behind the port proxy that is a rolling replacement, one replica
    /// at a time (see <see cref="StartServiceAsync"/>); a service without it is stopped first, since its new replica
    /// needs the port.
    /// </summary>
    private async Task<ControlEvent> RestartAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        _workspace = WorkspaceLoader.Load(_configPath);
        var stopFirst = request.Services.Where(n => _workspace.FindService(n) is not { UsesProxy: true }).ToList();
        if (stopFirst.Count > 0)
            await StopRunnersAsync(stopFirst, progress, cancellationToken);
        return await StartLoadedAsync(request with { Rebuilt = request.Services }, progress, cancellationToken);
    }

    /// <summary>
    /// Starts every replica of a service that does not run healthy already (or that runs a program since rebuilt),
    /// and waits until each settles. Behind the port proxy, a running replica is replaced one at a time: the next
    /// is replaced only once the new one is healthy, so the others keep serving, and a new build that does not get
    /// healthy stops the rollout with the rest still running the previous one.
    /// </summary>
    private async Task<ServiceStart> StartServiceAsync(ServiceDefinition service, bool rebuilt, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        if (_launches.Find(service.Name) is not { } launch)
            return ServiceStart.Failed($"Service '{service.Name}' has no built program to run.");
        if (await ClearOutsideCopiesAsync(service, launch, progress, cancellationToken) is { } refusal)
            return ServiceStart.Failed(refusal);

        if (service.UsesProxy && await OpenProxyAsync(service) is { } portProblem)
            return ServiceStart.Failed(portProblem);

        var scale = _scales.GetValueOrDefault(service.Name, service.Scale);
        var runners = new List<ReplicaRunner>();
        var startedAny = false;
        for (var replica = 0; replica < scale; replica++)
        {
            if (_runners.TryGetValue((service.Name, replica), out var running) && !rebuilt && running.Current.State is ReplicaState.Healthy or ReplicaState.Starting
                && (launch.Build is null || running.Current.Build == launch.Build))
            {
                runners.Add(running);
                continue;
            }
            if (running is not null)
                await RetireAsync(service, running, cancellationToken);
            var spec = SpecFor(service, launch, replica, ReplicaPortFor(service, replica));
            var runner = NewRunner(spec);
            SetRunner((service.Name, replica), runner);
            runner.Start();
            startedAny = true;
            runners.Add(runner);
            if (running is not null && service.UsesProxy
                && await runner.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken) != ReplicaState.Healthy)
                break;
        }
        var removed = await RemoveReplicasAboveAsync(service.Name, scale, cancellationToken);
        // Progress tells what happened: a scale down starts nothing, so it says so rather than "starting".
        if (startedAny)
            await progress(new ControlEvent { Service = service.Name, Message = "starting" });
        else if (removed > 0)
            await progress(new ControlEvent { Service = service.Name, Message = $"scaled down to {scale}" });

        var states = await Task.WhenAll(runners.Select(r =>
            r.WaitForAsync(s => s is not ReplicaState.Starting, cancellationToken)));
        var statuses = runners.Select(r => ToStatus(r.Current)).ToList();
        if (states.All(s => s == ReplicaState.Healthy))
        {
            if (startedAny)
                await progress(new ControlEvent { Service = service.Name, Message = "healthy" });
            return new ServiceStart(statuses, null);
        }
        var bad = runners.First(r => r.Current.State != ReplicaState.Healthy).Current;
        var why = bad.LastExit is { } exit ? $" ({exit})" : "";
        statuses = statuses.Select(s => s.Service == bad.Service && s.Replica == bad.Replica ? s with { LastLines = LastLines(bad.Service, bad.Replica) } : s).ToList();
        return new ServiceStart(statuses, $"Service '{service.Name}' did not become healthy: it is {Words(bad.State)}{why}.");
    }

    private async Task<string?> ClearOutsideCopiesAsync(ServiceDefinition service, LaunchSpec launch, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        // One /proc scan per running replica, up front: asking for every pid the finder looks at rescanned /proc once
        // per pid and replica, and that made starting a wave of services visibly serial.
        // The supervisor itself listens on the public ports of the services behind the proxy.
        var ours = _runners.Values.Select(r => r.Current.Process).OfType<ProcessIdentity>()
            .SelectMany(p => _host.GroupMembers(p).Select(m => m.Pid).Append(p.Pid))
            .Append(Environment.ProcessId)
            .ToHashSet();
        var outside = OutsideCopyFinder.Find(service.Directory, launch.BuiltFiles, service.Port, ours.Contains);
        if (outside.FirstOrDefault(p => !p.IsCopy) is { } foreign)
            return $"Port {service.Port} of service '{service.Name}' is held by {foreign}, which is not a copy of '{service.Name}'; stop it or give the service another port.";
        foreach (var copy in outside)
        {
            if (!launch.Options.KillOutside)
                return $"'{service.Name}' already runs outside orchestra: {copy}; stop it, or start without --no-kill-outside.";
            try
            {
                if (_host.Identify(copy.Pid) is { } process)
                    await new ProcessGroupStopper(_host, _options.Time, _options.PollInterval).StopProcessAsync(process, StopSignals.Term, OutsideCopyGrace, cancellationToken);
            }
            catch (ProcessGroupSurvivedException)
            {
                return $"'{service.Name}' runs outside orchestra as {copy}, which survived SIGKILL.";
            }
            await progress(new ControlEvent { Service = service.Name, Message = $"stopped {service.Name} running outside orchestra: {copy}" });
        }
        return null;
    }

    /// <summary>Stops the replicas numbered <paramref name="scale"/> and above, and forgets their records; returns how many ran.</summary>
    private async Task<int> RemoveReplicasAboveAsync(string service, int scale, CancellationToken cancellationToken)
    {
        var definition = _workspace.FindService(service);
        // Records of replicas stopped earlier (a stop, then a start with fewer) would show in ps as stopped replicas.
        foreach (var stale in _state.Replicas.Where(r => r.Service == service && r.Replica >= scale && !_runners.ContainsKey(r.Key)).ToList())
            _state.Remove(stale.Service, stale.Replica);
        var above = _runners.Keys.Where(k => k.Service == service && k.Replica >= scale).ToList();
        foreach (var key in above)
        {
            if (definition is not null)
                await RetireAsync(definition, _runners[key], cancellationToken);
            else
            {
                await _runners[key].StopAsync(cancellationToken);
                await _runners[key].DisposeAsync();
            }
            RemoveRunner(key);
            _state.Remove(key.Service, key.Replica);
        }
        return above.Count;
    }

    private async Task<ControlEvent> StopAsync(IReadOnlyList<string> services, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        var stopped = await StopRunnersAsync(services, progress, cancellationToken);
        // Unlike a restart, which keeps the public port open so that clients wait for the new replicas.
        foreach (var service in stopped.Select(r => r.Service).Distinct())
        {
            await _watches.StopAsync(service);
            await _proxies.CloseAsync(service);
            _scales.Remove(service);
            _buildErrors.TryRemove(service, out _);
        }
        return new ControlEvent { Replicas = stopped };
    }

    private async Task<ControlEvent> ShutdownAsync(Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        await _watches.DisposeAsync();
        var stopped = await StopRunnersAsync([], progress, cancellationToken);
        await _proxies.DisposeAsync();
        await _shutdown.CancelAsync();
        return new ControlEvent { Replicas = stopped, Message = "supervisor stopped" };
    }

    /// <summary>Stops the named services' replicas (all when none are named), dependents first, each wave in parallel.</summary>
    private async Task<List<ReplicaStatus>> StopRunnersAsync(IReadOnlyList<string> services, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        var names = services.Count > 0 ? services.ToHashSet() : _runners.Keys.Select(k => k.Service).ToHashSet();
        var definitions = _workspace.Services.Where(s => names.Contains(s.Name)).ToList();
        // Services no longer in the configuration still have replicas to stop: they go last, in a wave of their own.
        var waves = DependencyOrder.StopWaves(definitions).Select(w => w.Select(s => s.Name).ToList()).ToList();
        waves.Add(names.Except(definitions.Select(d => d.Name)).ToList());
        var stopped = new List<ReplicaStatus>();
        foreach (var wave in waves)
        {
            var keys = _runners.Keys.Where(k => wave.Contains(k.Service)).ToList();
            await Task.WhenAll(keys.Select(async key =>
            {
                await _runners[key].StopAsync(cancellationToken);
                await _runners[key].DisposeAsync();
            }));
            foreach (var key in keys)
            {
                stopped.Add(ToStatus(_state.Replicas.First(r => r.Key == key)));
                RemoveRunner(key);
            }
            foreach (var service in wave.Where(s => keys.Any(k => k.Service == s)))
                await progress(new ControlEvent { Service = service, Message = "stopped" });
        }
        return stopped;
    }

    /// <summary>What ps shows, never waiting for a request: the runners are read under their lock, as a snapshot.</summary>
    private List<ReplicaStatus> Status(IReadOnlyList<string> services)
    {
        Dictionary<(string Service, int Replica), (ReplicaRecord Record, string? LogFault)> live;
        lock (_runners)
            live = _runners.ToDictionary(r => r.Key, r => (r.Value.Current, r.Value.LogFault?.Reason));
        return _state.Replicas
            .Where(r => services.Count == 0 || services.Contains(r.Service))
            .Select(r => live.TryGetValue(r.Key, out var running) ? ToStatus(running.Record) with { LogFault = running.LogFault, Watching = _watches.IsArmed(r.Service) } : ToStatus(r))
            .ToList();
    }

    private ReplicaStatus ToStatus(ReplicaRecord record)
    {
        var usage = record.Process is { } process ? ProcessUsage.Sample(process) : null;
        return new ReplicaStatus
        {
            Service = record.Service,
            Replica = record.Replica,
            Pid = record.Pid > 0 ? record.Pid : null,
            State = Words(record.State),
            Port = record.Port,
            ServicePort = _workspace.FindService(record.Service) is { UsesProxy: true } service ? service.Port : null,
            StartedAt = record.StartedAt,
            TimeToHealthy = record.HealthyAfter,
            Restarts = record.Restarts,
            CpuPercent = usage?.CpuPercent,
            RssBytes = usage?.RssBytes,
            LastLines = record.State == ReplicaState.Crashed ? LastLines(record.Service, record.Replica) : [],
            BuildErrors = _buildErrors.GetValueOrDefault(record.Service) ?? [],
        };
    }

    private IReadOnlyList<string> LastLines(string service, int replica)
    {
        var files = new ReplicaLogFiles(ReplicaLogFiles.DirectoryIn(_workspace.StateDirectory), service, replica);
        return files.LogFilesOldestFirst()
            .Reverse()
            .SelectMany(path => File.ReadLines(path).Reverse())
            .Take(LastLinesShown)
            .Reverse()
            .Select(line => LogLineFormat.Parse(service, replica, line)?.Text ?? line)
            .ToList();
    }

    private ReplicaSpec? SpecFor(string service, int replica, int? port)
    {
        if (_workspace.FindService(service) is not { } definition || _launches.Find(service) is not { } launch)
            return null;
        return SpecFor(definition, launch, replica, port);
    }

    private ReplicaSpec SpecFor(ServiceDefinition service, LaunchSpec launch, int replica, int? port) =>
        ReplicaSpec.For(_workspace, service, launch.Command, new EnvironmentResolver(_workspace, launch.Options.Environment).Resolve(service, launch.Options.Command, replica, port), replica, port) with { Build = launch.Build };

    /// <summary>
    /// The port a new process of the replica listens on: the service's own without the proxy; behind it, the port the
    /// replica had before when nothing holds it now (stable addresses in logs), else a free one.
    /// </summary>
    private int? ReplicaPortFor(ServiceDefinition service, int replica)
    {
        if (!service.UsesProxy)
            return service.Port;
        var previous = _state.Replicas.FirstOrDefault(r => r.Service == service.Name && r.Replica == replica)?.Port;
        return previous is { } kept && kept != service.Port && ReplicaPorts.IsFree(kept) ? kept : ReplicaPorts.Next();
    }

    private ReplicaRunner NewRunner(ReplicaSpec spec)
    {
        var runner = new ReplicaRunner(spec, _host, _state, _options);
        // Most changes are log offsets, committed many times a second while a replica prints: only a new state or
        // port can change the routes. Routing reads every runner's current record, so skipping a repeat loses nothing.
        (ReplicaState State, int? Port)? routed = null;
        runner.Changed += changed =>
        {
            if (routed == (changed.State, changed.Port))
                return;
            var before = routed?.State;
            routed = (changed.State, changed.Port);
            RouteToReadyReplicas(changed.Service);
            if (changed.State != before && EventFor(changed, before) is var (stream, line))
                _events.Write(changed.Service, stream, [line]);
        };
        // Not into the service's event log: that is in the folder that is failing.
        runner.LogFaultChanged += fault => _log.WriteLine(fault is null
            ? $"{DateTimeOffset.UtcNow:O} {spec.Service}.{spec.Replica}: collecting its output works again"
            : $"{DateTimeOffset.UtcNow:O} {spec.Service}.{spec.Replica}: cannot collect its output, retrying; it waits in the raw capture files: {fault.Reason}");
        return runner;
    }

    /// <summary>The event-log line for a replica's new state, when it is news to someone reading the logs.</summary>
    private static (LogStream Stream, string Line)? EventFor(ReplicaRecord replica, ReplicaState? before) => replica.State switch
    {
        ReplicaState.Restarting => (LogStream.Stderr, $"replica {replica.Replica}: {replica.LastExit}; restarting in {DurationParser.Format(replica.Backoff ?? TimeSpan.Zero)}"),
        ReplicaState.Crashed => (LogStream.Stderr, $"replica {replica.Replica}: {replica.LastExit}; crashed, left alone after failing too often in a row"),
        ReplicaState.Unhealthy => (LogStream.Stderr, $"replica {replica.Replica}: unhealthy"),
        ReplicaState.Healthy when before == ReplicaState.Unhealthy => (LogStream.Stdout, $"replica {replica.Replica}: healthy again"),
        _ => null,
    };

    /// <summary>
    /// Stops a replica that is replaced or scaled away. Behind the proxy it first leaves the routes and keeps the
    /// connections it has until they finish (or <c>stop.drain</c> passes), so that no accepted request is cut.
    /// </summary>
    private async Task RetireAsync(ServiceDefinition service, ReplicaRunner runner, CancellationToken cancellationToken)
    {
        if (service.UsesProxy && runner.Current is { State: ReplicaState.Healthy, Port: { } port })
        {
            lock (_runners)
                _draining.Add(runner);
            RouteToReadyReplicas(service.Name);
            if (!await _proxies.DrainAsync(service.Name, port, service.DrainTimeout, cancellationToken))
                _events.Write(service.Name, LogStream.Stderr, [$"replica {runner.Current.Replica}: connections still open after {DurationParser.Format(service.DrainTimeout)} of draining; stopping it anyway"]);
        }
        try
        {
            await runner.StopAsync(cancellationToken);
            await runner.DisposeAsync();
        }
        finally
        {
            lock (_runners)
                _draining.Remove(runner);
        }
    }

    /// <summary>Points the service's proxy at its healthy replicas; called on every change of one of them.</summary>
    private void RouteToReadyReplicas(string service)
    {
        // A replica recorded on the public port itself (adopted from a time without the proxy) is never a route:
        // the proxy would forward to itself.
        var publicPort = _workspace.FindService(service)?.Port;
        List<int> ready;
        lock (_runners)
        {
            ready = _runners.Where(r => r.Key.Service == service && !_draining.Contains(r.Value)).OrderBy(r => r.Key.Replica)
                .Select(r => r.Value.Current)
                .Where(r => r.State == ReplicaState.Healthy && r.Port is not null && r.Port != publicPort)
                .Select(r => r.Port!.Value)
                .ToList();
        }
        _proxies.Route(service, ready);
    }

    /// <summary>Listens on the service's public port; a sentence when it cannot.</summary>
    private async Task<string?> OpenProxyAsync(ServiceDefinition service)
    {
        try
        {
            await _proxies.OpenAsync(service.Name, service.Port!.Value);
            RouteToReadyReplicas(service.Name);
            return null;
        }
        catch (PortUnavailableException e)
        {
            return $"Service '{service.Name}' cannot be reached on its port: {e.Message}";
        }
    }

    /// <summary>Default rerun triggers of a project service beyond its evaluated files: a new source or project file in its folder.</summary>
    private static readonly IReadOnlyList<string> ProjectSourceGlobs =
        ["**/*.cs", "**/*.fs", "**/*.vb", "**/*.razor", "**/*.cshtml", "**/*.csproj", "**/*.fsproj", "**/*.props", "**/*.targets"];

    /// <summary>
    /// Starts (or replaces) the service's watch when it reruns on change. A project service watches the files its
    /// evaluation names and new sources in its folder; a command service only what its <c>watch.include</c> names,
    /// since Orchestra cannot tell its sources from the files it writes.
    /// </summary>
    private async Task WatchForRerunAsync(ServiceDefinition service)
    {
        if (_launches.Find(service.Name) is { Options.Rerun: true } launch && WatchSetFor(service, launch) is { } set)
            await _watches.WatchAsync(service.Name, set);
        else
            await _watches.StopAsync(service.Name);
    }

    private static WatchSet? WatchSetFor(ServiceDefinition service, LaunchSpec launch)
    {
        var watch = service.Config.Watch;
        var include = watch.Include.Count > 0 ? watch.Include : service.Kind == ServiceKind.Project ? ProjectSourceGlobs : [];
        if (include.Count == 0 && launch.WatchFiles.Count == 0)
            return null;
        return new WatchSet { Files = launch.WatchFiles, Folders = [service.Directory], Include = include, Exclude = watch.Exclude };
    }

    /// <summary>
    /// A watched file changed: rebuild the service when it is built (outside the gate: ps and logs stay quick), then
    /// replace its replicas, rolling behind the proxy. A failed build leaves the replicas running the previous build
    /// and is shown by ps. Returns the watch set after a rebuild, whose files may have changed.
    /// </summary>
    private async Task<WatchSet?> RerunAsync(string service, IReadOnlyList<string> changed, CancellationToken cancellationToken)
    {
        if (_workspace.FindService(service) is not { } definition || _launches.Find(service) is not { } launch)
            return null;
        var names = string.Join(", ", changed.Take(3).Select(p => Path.GetRelativePath(definition.Directory, p))) + (changed.Count > 3 ? ", …" : "");
        await _log.WriteLineAsync($"{DateTimeOffset.UtcNow:O} {service}: {names} changed");
        _events.Write(service, LogStream.Stdout, [$"{names} changed: rerunning"]);
        var began = _options.Time.GetTimestamp();
        if (definition.Kind == ServiceKind.Project || definition.Config.Build is not null)
        {
            var outcome = await _rebuilder.RebuildAsync(service, launch.Options, cancellationToken);
            await _log.WriteLineAsync($"{DateTimeOffset.UtcNow:O} {service}: built in {_options.Time.GetElapsedTime(began).TotalSeconds:0.00}s");
            if (outcome.Prepared?.Launch.FirstOrDefault(l => l.Service == service) is not { } rebuilt)
            {
                var errors = outcome.Errors.Count > 0 ? outcome.Errors : ["the build gave no launch spec."];
                _buildErrors[service] = errors;
                await _log.WriteLineAsync($"{DateTimeOffset.UtcNow:O} {service}: not rerun, the build failed: {string.Join(" ", errors)}");
                _events.Write(service, LogStream.Stderr, ["the build failed, so the previous build runs on:", .. errors]);
                return null;
            }
            _buildErrors.TryRemove(service, out _);
            if (!outcome.Prepared.Rebuilt.Contains(service))
                return null;
            launch = rebuilt;
        }
        using var work = await _gate.EnterAsync([service], preempt: false, cancellationToken);
        if (!RunningServices().Contains(service))
            return null;
        definition = ReloadForRerun(definition);
        _launches.Save([launch]);
        var started = await StartServiceAsync(definition, rebuilt: true, _ => Task.CompletedTask, work.Token);
        var summary = $"rerun {_options.Time.GetElapsedTime(began).TotalSeconds:0.00}s after the change{(started.Error is { } error ? $", but {error}" : "")}";
        await _log.WriteLineAsync($"{DateTimeOffset.UtcNow:O} {service}: {summary}");
        _events.Write(service, started.Error is null ? LogStream.Stdout : LogStream.Stderr, [summary]);
        return WatchSetFor(definition, launch);
    }

    /// <summary>
    /// The configuration a rerun applies: read again, so that a change to service.yml (its env, health, args) reaches
    /// the new replicas. A configuration that no longer loads, or a change of what the running fleet is built on (the
    /// port, the proxy), is not applied: the event log says so, and the rerun goes on with the settings in force.
    /// </summary>
    private ServiceDefinition ReloadForRerun(ServiceDefinition current)
    {
        Workspace reloaded;
        try
        {
            reloaded = WorkspaceLoader.Load(_configPath);
        }
        catch (ConfigurationException e)
        {
            _events.Write(current.Name, LogStream.Stderr, ["the configuration has errors, so the rerun keeps the settings in force:", .. e.Errors.Select(error => error.ToString())]);
            return current;
        }
        if (reloaded.FindService(current.Name) is not { } changed)
            return current;
        if (changed.Port != current.Port || changed.UsesProxy != current.UsesProxy)
        {
            _events.Write(current.Name, LogStream.Stderr, [$"its port or proxy setting changed; that applies at the next 'dotnet orchestra restart {current.Name}', so the rerun keeps the settings in force"]);
            return current;
        }
        _workspace = reloaded;
        return changed;
    }

    /// <summary>
    /// Whether the process runs the spec's command: its arguments end with the program and the spec's arguments (a
    /// script started through its #! line has its interpreter in front).
    /// </summary>
    private static bool RunsCommandOf(ProcessIdentity process, ReplicaSpec spec)
    {
        var arguments = ProcessList.CommandLine(process.Pid);
        var program = arguments.Count - spec.Arguments.Count - 1;
        return program >= 0
            && Path.GetFileName(arguments[program]) == Path.GetFileName(spec.Program)
            && arguments.Skip(program + 1).SequenceEqual(spec.Arguments);
    }

    /// <summary>Writes the state and launch files again from memory: the state folder was deleted and made again.</summary>
    public void PersistState()
    {
        StateFolder.EnsureSubfolder(ReplicaLogFiles.DirectoryIn(_workspace.StateDirectory));
        _state.Save();
        _launches.Save([]);
    }

    /// <summary>SIGKILL to every replica's process group, now, without waiting: the second Ctrl-C.</summary>
    public void KillAll()
    {
        List<ProcessIdentity> processes;
        lock (_runners)
            processes = _runners.Values.Select(r => r.Current.Process).OfType<ProcessIdentity>().ToList();
        foreach (var process in processes)
            _host.SignalGroup(process, StopSignals.Kill);
    }

    private void SetRunner((string Service, int Replica) key, ReplicaRunner runner)
    {
        lock (_runners)
            _runners[key] = runner;
    }

    private void RemoveRunner((string Service, int Replica) key)
    {
        lock (_runners)
            _runners.Remove(key);
    }

    public static string Words(ReplicaState state) => state.ToString().ToLowerInvariant();

    /// <summary>Detaches from every replica without stopping it: they live on for the next supervisor.</summary>
    public async ValueTask DisposeAsync()
    {
        await _watches.DisposeAsync();
        _rebuilder.Dispose();
        await _proxies.DisposeAsync();
        foreach (var runner in _runners.Values)
            await runner.DisposeAsync();
        lock (_runners)
            _runners.Clear();
        _gate.Dispose();
        _shutdown.Dispose();
    }

    private sealed record ServiceStart(IReadOnlyList<ReplicaStatus> Replicas, string? Error)
    {
        public static ServiceStart Failed(string error) => new([], error);
    }
}
