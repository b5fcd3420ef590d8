using Orchestra.Configuration;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestra.Runtime.Health;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.Restarts;
using Orchestra.Runtime.State;
using Orchestra.Vendors.Engine;

namespace Orchestra.Vendors.Containers;

/// <summary>
/// One container replica's lifecycle, behind the same seam as a process's: start → health → running; exit →
/// restart policy and backoff → start again or <c>crashed</c>/<c>stopped</c>; stop. Docker's own restart policy is
/// off, so a container that exits is handled exactly as a process that exits.
/// <para>
/// The container outlives the supervisor: <see cref="DisposeAsync"/> detaches, and the next supervisor finds it by
/// label and calls <see cref="Adopt"/>. Its output is collected into the log as it comes (<see cref="ContainerLogPump"/>).
/// </para>
/// </summary>
public sealed class ContainerRunner : IReplicaRunner
{
    private readonly ContainerSpec _spec;
    private readonly DockerEngine _engine;
    private readonly ContainerCatalog _catalog;
    private readonly RuntimeOptions _options;
    private readonly HealthSupervision _health;
    private readonly IHealthProbe _probe;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ReplicaRecordKeeper _record;
    private Task? _loop;
    private bool _disposed;

    /// <param name="recorded">The replica as the state file last recorded it, or null.</param>
    public ContainerRunner(ContainerSpec spec, DockerEngine engine, RuntimeOptions options, ReplicaRecord? recorded = null)
    {
        _spec = spec;
        _engine = engine;
        _catalog = new ContainerCatalog(engine);
        _options = options;
        _health = new HealthSupervision(options.Time, options.Crowd);
        var port = spec.Ports.FirstOrDefault()?.HostPort;
        // A command runs in the container; a tcp probe connects to the container itself (see ContainerTcpProbe); any
        // other is the runtime's, from the host to the published port.
        _probe = (spec.Health.Command.Count > 0, spec.Health.Probe.Kind, spec.Ports.FirstOrDefault()) switch
        {
            (true, _, _) => new ExecProbe(engine, () => Current.ContainerId, spec.Health.Command),
            (false, HealthKind.Tcp or HealthKind.Default, { } published) => new ContainerTcpProbe(engine, () => Current.ContainerId, published.ContainerPort),
            _ => HealthProbes.Create(spec.Health.Probe, port),
        };
        _record = new ReplicaRecordKeeper((recorded ?? new ReplicaRecord { Service = spec.Service, Replica = spec.Replica, State = ReplicaState.Stopped }) with { Port = port });
    }

    public ContainerSpec Spec => _spec;

    /// <inheritdoc />
    public ReplicaRecord Current => _record.Current;

    /// <inheritdoc />
    public event Action<ReplicaRecord>? Changed
    {
        add => _record.Changed += value;
        remove => _record.Changed -= value;
    }

    /// <inheritdoc />
    public LogFault? LogFault => null;

    /// <inheritdoc />
    /// <remarks>The engine keeps a container's output until it is collected, so there is no fault to report.</remarks>
    public event Action<LogFault?>? LogFaultChanged
    {
        add { }
        remove { }
    }

    /// <inheritdoc />
    public void Start()
    {
        EnsureNotBegun();
        // Starting from now on, as a process is once spawned: a waiter must not take the state before it for an outcome.
        Publish(r => r with { State = ReplicaState.Starting, LastExit = null });
        _loop = RunAsync(adopted: false, _lifetime.Token);
    }

    /// <inheritdoc />
    public void Adopt(ReplicaRecord record)
    {
        EnsureNotBegun();
        Publish(r => r with { ContainerId = record.ContainerId, StartedAt = record.StartedAt, LogsUntil = record.LogsUntil ?? r.LogsUntil, HealthyAfter = record.HealthyAfter, State = ReplicaState.Starting });
        _loop = RunAsync(adopted: record.ContainerId is not null, _lifetime.Token);
    }

    /// <inheritdoc />
    public Task<ReplicaState> WaitForAsync(Func<ReplicaState, bool> predicate, CancellationToken cancellationToken) =>
        _record.WaitForAsync(predicate, cancellationToken);

    /// <summary>
    /// Stops the container with its stop signal (the image's own unless configured), kills it after the stop timeout,
    /// and collects its output to the end. A vendor's container stays, stopped: removing it is the caller's decision;
    /// a service replica's is removed.
    /// </summary>
    public async Task<StopOutcome> StopAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EndLoopAsync();
        var outcome = StopOutcome.NotRunning;
        if (Current.ContainerId is { } id && await IsRunningAsync(id, cancellationToken))
        {
            Publish(r => r with { State = ReplicaState.Stopping });
            await using var pump = NewPump(id);
            pump.Start();
            var seconds = (uint)Math.Ceiling(_spec.StopTimeout.TotalSeconds);
            await _engine.Client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken);
            await pump.Completion;
            var state = (await _engine.Client.Containers.InspectContainerAsync(id, cancellationToken)).State;
            outcome = state is { ExitCode: 137, OOMKilled: false } ? StopOutcome.Killed : StopOutcome.Graceful;
        }
        if (_spec.IsServiceReplica && Current.ContainerId is { } stopped)
            await _catalog.RemoveContainerAsync(stopped, cancellationToken);
        Publish(r => r with { State = ReplicaState.Stopped, Backoff = null, ContainerId = _spec.IsServiceReplica ? null : r.ContainerId });
        return outcome;
    }

    /// <summary>Detaches: supervision and log collection end, the container keeps running for the next supervisor to adopt.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await EndLoopAsync();
        _lifetime.Dispose();
    }

    private async Task RunAsync(bool adopted, CancellationToken cancellationToken)
    {
        try
        {
            var tracker = new RestartTracker(_spec.Restart, _options.Backoff);
            var isRestart = false;
            while (true)
            {
                string? failure = null;
                var id = adopted ? Current.ContainerId : null;
                if (id is null)
                    (id, failure) = await StartContainerAsync(isRestart, cancellationToken);
                adopted = false;
                var startedAt = Current.StartedAt ?? _options.Time.GetUtcNow();
                var (exit, replaced) = id is not null ? await SuperviseAsync(id, cancellationToken) : (ExitStatus.Unknown, null);
                var lastExit = failure ?? replaced ?? exit.ToString();
                if (tracker.OnExit(exit, _options.Time.GetUtcNow() - startedAt).Publish(lastExit, Publish) is not { } delay)
                    return;
                await Task.Delay(delay, _options.Time, cancellationToken);
                isRestart = true;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped or detached: whoever cancelled takes it from here.
        }
    }

    /// <summary>Makes (or reuses) the container and starts it; a failure is returned as the reason, for the restart policy.</summary>
    private async Task<(string? Id, string? Failure)> StartContainerAsync(bool isRestart, CancellationToken cancellationToken)
    {
        var restarts = isRestart ? 1 : 0;
        // Forget the previous run's match: a restarted replica must announce itself again.
        (_probe as LogProbe)?.Reset();
        try
        {
            var (id, running) = await _catalog.EnsureAsync(_spec, progress: null, cancellationToken);
            if (!running)
                await _engine.Client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            Publish(r => r with
            {
                State = ReplicaState.Starting, ContainerId = id, Build = _spec.Build, HealthyAfter = null, StartedAt = _options.Time.GetUtcNow(), Backoff = null,
                Restarts = r.Restarts + restarts,
            });
            return (id, null);
        }
        catch (DockerApiException e)
        {
            Publish(r => r with { Restarts = r.Restarts + restarts });
            return (null, StartFailure(DockerEngine.MessageOf(e)).Message);
        }
        catch (Orchestra.Errors.OrchestraException e)
        {
            Publish(r => r with { Restarts = r.Restarts + restarts });
            return (null, e.Message);
        }
    }

    /// <summary>The engine's words for a failed start, as one sentence; a published port that is taken is named.</summary>
    private ContainerStartException StartFailure(string message)
    {
        var taken = message.Contains("address already in use", StringComparison.Ordinal) || message.Contains("port is already allocated", StringComparison.Ordinal)
            ? _spec.Ports.FirstOrDefault(p => message.Contains($":{p.HostPort}", StringComparison.Ordinal))?.HostPort ?? _spec.Ports.FirstOrDefault()?.HostPort
            : null;
        return new ContainerStartException(_spec.Name, taken is null ? message : "the port is taken", taken);
    }

    /// <summary>
    /// Collects its output and watches its health until it exits. When it never gets healthy, or stays unhealthy for the
    /// health timeout, it is stopped, and the reason is returned with its status.
    /// </summary>
    private async Task<(ExitStatus Status, string? Replaced)> SuperviseAsync(string id, CancellationToken cancellationToken)
    {
        await using var pump = NewPump(id);
        pump.Start();
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var exited = WaitForExitAsync(id, cancellationToken);
        var health = _health.WatchAsync(_probe, _spec.Health.Interval, _spec.Health.Timeout, _spec.Restart, Publish, probing.Token);
        string? replaced = null;
        if (await Task.WhenAny(exited, health) == health && await health is { } reason && !exited.IsCompleted)
        {
            var seconds = (uint)Math.Ceiling(_spec.StopTimeout.TotalSeconds);
            await _engine.Client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken);
            replaced = reason;
        }
        await probing.CancelAsync();
        try
        {
            await health;
        }
        catch (OperationCanceledException) when (probing.IsCancellationRequested)
        {
        }
        var status = await exited;
        await pump.Completion;
        return (replaced is null ? status : ExitStatus.Unknown, replaced);
    }

    private async Task<ExitStatus> WaitForExitAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _engine.Client.Containers.WaitContainerAsync(id, cancellationToken);
            return new ExitStatus((int)response.StatusCode, null);
        }
        catch (DockerContainerNotFoundException)
        {
            return ExitStatus.Unknown;
        }
    }

    private async Task<bool> IsRunningAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return (await _engine.Client.Containers.InspectContainerAsync(id, cancellationToken)).State?.Running == true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }

    private ContainerLogPump NewPump(string id) =>
        new(_engine, id, _spec.LogFiles, Current.LogsUntil, _options.Logs, _options.Time, until => Publish(r => r with { LogsUntil = until }),
            _probe is LogProbe logProbe ? logProbe.Observe : null);

    private async Task EndLoopAsync()
    {
        if (_loop is null)
            return;
        await _lifetime.CancelAsync();
        await _loop;
    }

    private void EnsureNotBegun()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loop is not null)
            throw new InvalidOperationException($"Container replica {_spec.Service} is already running.");
    }

    private void Publish(Func<ReplicaRecord, ReplicaRecord> change) => _record.Publish(change);
}
