using Orchestra.Configuration;
using Orchestra.Runtime.Health;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Restarts;
using Orchestra.Runtime.State;

namespace Orchestra.Runtime.Replicas;

/// <summary>
/// Owns one replica's lifecycle: start → health → running; exit → restart policy → restart or
/// <c>crashed</c>/<c>stopped</c>; stop. Every change of its record is published through <see cref="Changed"/>; the
/// supervisor persists it from there.
/// <para>
/// Design: replicas outlive a crashed supervisor and are adopted. A replica runs in its own session and writes
/// straight to its raw capture files, so when the supervisor dies (even by <c>kill -9</c>) it keeps running and
/// its output keeps landing on disk. The next supervisor reads the state file and calls <see cref="Adopt"/>: the
/// process (pid plus start time) is watched through a pidfd, and the log collector resumes from the persisted
/// offsets. An adopted process is not our child, so its exit code is unknown and counts as a failure.
/// <see cref="DisposeAsync"/> detaches without stopping (a supervisor handing over); <see cref="StopAsync"/> stops.
/// </para>
/// </summary>
public sealed class ReplicaRunner : IReplicaRunner
{
    private readonly ReplicaSpec _spec;
    private readonly IProcessHost _host;
    private readonly RuntimeOptions _options;
    private readonly ProcessGroupStopper _stopper;
    private readonly HealthSupervision _health;
    private readonly IHealthProbe _probe;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ReplicaRecordKeeper _record;
    private LogCollector? _collector;
    private Task? _loop;
    private bool _disposed;

    /// <param name="recorded">The replica as the state file last recorded it (a previous run's), or null for a new one.</param>
    public ReplicaRunner(ReplicaSpec spec, IProcessHost host, RuntimeOptions options, ReplicaRecord? recorded = null)
    {
        _spec = spec;
        _host = host;
        _options = options;
        _stopper = new ProcessGroupStopper(host, options.Time, options.PollInterval);
        _health = new HealthSupervision(options.Time, options.Crowd);
        _probe = HealthProbes.Create(spec.Health, spec.Port);
        _record = new ReplicaRecordKeeper(recorded
            ?? new ReplicaRecord { Service = spec.Service, Replica = spec.Replica, Port = spec.Port, State = ReplicaState.Stopped });
    }

    /// <inheritdoc />
    public ReplicaRecord Current => _record.Current;

    /// <inheritdoc />
    public event Action<ReplicaRecord>? Changed
    {
        add => _record.Changed += value;
        remove => _record.Changed -= value;
    }

    /// <inheritdoc />
    public LogFault? LogFault => _collector?.Fault;

    /// <inheritdoc />
    public event Action<LogFault?>? LogFaultChanged;

    /// <summary>
    /// Starts a new process for the replica and supervises it in the background. A runner runs one lifecycle:
    /// <see cref="Start"/> or <see cref="Adopt"/> once; a replica still alive from state must be adopted or stopped first.
    /// </summary>
    public void Start()
    {
        EnsureNotBegun();
        var current = Current;
        var resume = current.Process is null && current.Offsets == LogOffsets.Start
            ? new LogOffsets(RawSpaceReclaimer.FirstData(_spec.LogFiles.RawStdout), RawSpaceReclaimer.FirstData(_spec.LogFiles.RawStderr))
            : current.Offsets;
        Begin(resume, adopted: null);
    }

    /// <summary>
    /// Takes over a replica a previous supervisor left running, as recorded in <paramref name="record"/>; it is
    /// <c>starting</c> until its probe passes again. A record without a process (it was waiting out a backoff) is started afresh.
    /// </summary>
    public void Adopt(ReplicaRecord record)
    {
        EnsureNotBegun();
        // Health is probed again: whatever the record says was true of the previous supervisor's last look. A log
        // probe cannot be asked again, though: the line went to the previous supervisor, and waiting for it would
        // end in "unhealthy" and a needless replacement of a replica that is fine.
        if (record.State == ReplicaState.Healthy && record.Process is not null && _probe is LogProbe logProbe)
            logProbe.AcceptEarlierMatch();
        Publish(_ => record with { Port = _spec.Port, State = record.Process is null ? record.State : ReplicaState.Starting });
        Begin(record.Offsets, record.Process);
    }

    /// <summary>Completes with the state once it is healthy, unhealthy, crashed or stopped.</summary>
    public Task<ReplicaState> WaitUntilSettledAsync(CancellationToken cancellationToken) =>
        WaitForAsync(s => s is ReplicaState.Healthy or ReplicaState.Unhealthy or ReplicaState.Crashed or ReplicaState.Stopped, cancellationToken);

    /// <inheritdoc />
    public Task<ReplicaState> WaitForAsync(Func<ReplicaState, bool> predicate, CancellationToken cancellationToken) =>
        _record.WaitForAsync(predicate, cancellationToken);

    /// <summary>
    /// Stops the replica: its supervision ends, its process group gets the stop signal, then SIGKILL after the
    /// stop timeout, and the output is collected to the last byte. The raw capture files are then removed, unless a
    /// fault kept their output from being collected: then they and the offsets stay for the replica's next collector.
    /// Works on a runner never started too: it then stops the process its state record names (a dead supervisor's).
    /// </summary>
    public async Task<StopOutcome> StopAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EndLoopAsync();
        var outcome = StopOutcome.NotRunning;
        if (Current.Process is { } process)
        {
            Publish(r => r with { State = ReplicaState.Stopping });
            outcome = await _stopper.StopAsync(process, StopSignals.Parse(_spec.StopSignal), _spec.StopTimeout, cancellationToken);
            _host.CheckExit(process);
        }
        // A replica stopped without being adopted (a dead supervisor's) still has output to collect.
        var collector = _collector ?? NewCollector(Current.Offsets);
        _collector = null;
        var collected = await collector.DrainAsync(processEnded: true, cancellationToken);
        await collector.DisposeAsync();
        var removed = collected && RemoveRawFiles();
        Publish(r => r with
        {
            State = ReplicaState.Stopped, Pid = 0, StartTime = 0, Backoff = null,
            StdoutOffset = removed ? 0 : r.StdoutOffset, StderrOffset = removed ? 0 : r.StderrOffset,
        });
        return outcome;
    }

    /// <summary>
    /// Deletes the raw capture files once everything in them is in the log and nobody writes to them any more. When the
    /// logs folder refuses (a fault), they stay, and so do their offsets, for the replica's next collector.
    /// </summary>
    private bool RemoveRawFiles()
    {
        try
        {
            File.Delete(_spec.LogFiles.RawStdout);
            File.Delete(_spec.LogFiles.RawStderr);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Detaches: supervision and log collection end, offsets are persisted, the replica keeps running for the next supervisor to adopt.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await EndLoopAsync();
        if (_collector is not null)
        {
            await _collector.DisposeAsync();
            _collector = null;
        }
        _lifetime.Dispose();
    }

    private void EnsureNotBegun()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loop is not null)
            throw new InvalidOperationException($"Replica {_spec.Service}.{_spec.Replica} is already running.");
    }

    private void Begin(LogOffsets resume, ProcessIdentity? adopted)
    {
        _collector = NewCollector(resume);
        _collector.Start();
        _loop = RunAsync(adopted, _collector, _lifetime.Token);
    }

    private LogCollector NewCollector(LogOffsets resume)
    {
        var collector = new LogCollector(_spec.LogFiles, resume, _options.Logs, _options.Time,
            offsets => Publish(r => r with { StdoutOffset = offsets.Stdout, StderrOffset = offsets.Stderr }),
            _probe is LogProbe logProbe ? logProbe.Observe : null);
        collector.FaultChanged += fault => LogFaultChanged?.Invoke(fault);
        return collector;
    }

    private async Task EndLoopAsync()
    {
        if (_loop is null)
            return;
        await _lifetime.CancelAsync();
        await _loop;
    }

    private async Task RunAsync(ProcessIdentity? adopted, LogCollector collector, CancellationToken cancellationToken)
    {
        try
        {
            var tracker = new RestartTracker(_spec.Restart, _options.Backoff);
            var process = adopted;
            var startedAt = Current.StartedAt ?? _options.Time.GetUtcNow();
            var isRestart = false;
            while (true)
            {
                string? failure = null;
                if (process is null)
                {
                    (process, failure) = Spawn(isRestart);
                    startedAt = _options.Time.GetUtcNow();
                }
                var (exit, replaced) = process is { } running ? await SuperviseAsync(running, cancellationToken) : (ExitStatus.Unknown, null);
                await collector.DrainAsync(processEnded: true, cancellationToken);
                process = null;

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
        catch (ProcessGroupSurvivedException e)
        {
            // An unhealthy replica that cannot be killed cannot be replaced either.
            Publish(r => r with { State = ReplicaState.Crashed, LastExit = e.Message, Backoff = null });
        }
    }

    private (ProcessIdentity? Process, string? Failure) Spawn(bool isRestart)
    {
        var restarts = isRestart ? 1 : 0;
        // Forget the previous process's match before the new one can print (its lines were drained already).
        (_probe as LogProbe)?.Reset();
        try
        {
            var process = _host.Spawn(_spec.ToSpawnRequest());
            Publish(r => r with
            {
                State = ReplicaState.Starting, Pid = process.Pid, StartTime = process.StartTime, Port = _spec.Port, Build = _spec.Build, HealthyAfter = null,
                StartedAt = _options.Time.GetUtcNow(), Backoff = null, Restarts = r.Restarts + restarts,
            });
            return (process, null);
        }
        catch (SpawnException e)
        {
            Publish(r => r with { Restarts = r.Restarts + restarts });
            return (null, e.Message);
        }
    }

    /// <summary>
    /// Watches the process's health while it runs and waits for it to end. When it never gets healthy, or stays
    /// unhealthy for the health timeout, it is stopped, and the reason is returned with its status.
    /// </summary>
    private async Task<(ExitStatus Status, string? Replaced)> SuperviseAsync(ProcessIdentity process, CancellationToken cancellationToken)
    {
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var exited = _host.WaitForExitAsync(process, _options.PollInterval, _options.Time, cancellationToken);
        var health = _health.WatchAsync(_probe, _spec.Health.Interval, _spec.Health.Timeout, _spec.Restart, Publish, probing.Token);
        if (await Task.WhenAny(exited, health) == health && await health is { } reason && !exited.IsCompleted)
        {
            await _stopper.StopAsync(process, StopSignals.Parse(_spec.StopSignal), _spec.StopTimeout, cancellationToken);
            await exited;
            return (ExitStatus.Unknown, reason);
        }
        await probing.CancelAsync();
        try
        {
            await health;
        }
        catch (OperationCanceledException) when (probing.IsCancellationRequested)
        {
        }
        return (await exited, null);
    }

    private void Publish(Func<ReplicaRecord, ReplicaRecord> change) => _record.Publish(change);
}
