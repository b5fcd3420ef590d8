using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestra.Configuration;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.Restarts;
using Orchestra.Runtime.State;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Replicas;

public sealed class ReplicaRunnerTests : IDisposable
{
    private static readonly RuntimeOptions Fast = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(10),
        Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromMinutes(1), 10),
        Logs = new LogCollectorOptions { PollInterval = TimeSpan.FromMilliseconds(10), CommitInterval = TimeSpan.FromMilliseconds(20) },
    };

    private readonly RunnerWorkspace _workspace = new();

    /// <summary>A runner whose every change is written to <paramref name="state"/>, as the supervisor's persistence does.</summary>
    private ReplicaRunner Runner(ReplicaSpec spec, StateStore? state = null, RuntimeOptions? options = null)
    {
        state ??= new StateStore(_workspace.StateDirectory);
        var runner = new ReplicaRunner(spec, _workspace.Host, options ?? Fast, state.Find(spec.Service, spec.Replica));
        runner.Changed += r =>
        {
            state.Record(() => runner.Current);
            if (r.Process is { } process)
                _workspace.Track(process);
        };
        return runner;
    }

    private static List<string> Lines(ReplicaLogFiles files) =>
        files.LogFilesOldestFirst().SelectMany(File.ReadLines).Select(l => LogLineFormat.Parse(files.Service, files.Replica, l)!.Text).ToList();

    [Fact]
    public async Task A_failing_replica_is_restarted_with_growing_delays_and_ends_crashed_after_ten_failures()
    {
        var spec = _workspace.Spec("flaky", "/bin/sh", [_workspace.Script("flaky", "echo run; exit 3")]) with { Restart = RestartPolicy.OnFailure };
        // The standard delays, 2.5 minutes of them, on a fake clock. No uptime reset: the clock may run on while a
        // process runs (see below), and a reset is the tracker's to test.
        var clock = new FakeTimeProvider();
        var backoff = RestartBackoff.Standard with { ResetAfter = TimeSpan.MaxValue };
        await using var runner = Runner(spec, options: Fast with { Time = clock, Backoff = backoff });
        // Keyed by restart number: offset commits re-publish the same restarting record.
        var backoffs = new SortedDictionary<int, TimeSpan>();
        runner.Changed += r =>
        {
            if (r is { State: ReplicaState.Restarting, Backoff: { } delay })
                lock (backoffs) backoffs[r.Restarts] = delay;
        };

        runner.Start();
        // The processes are real, the clock is not: it moves on by a poll while a run is under way, and by the whole
        // delay while the runner waits one out (again, should that advance come before the runner waited on the clock).
        await Eventually.TrueAsync(() =>
        {
            var current = runner.Current;
            if (current.State == ReplicaState.Crashed)
                return true;
            clock.Advance(current is { State: ReplicaState.Restarting, Backoff: { } delay } ? delay : Fast.PollInterval);
            return false;
        }, "the replica to end crashed");

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30, 30], backoffs.Values.Select(b => b.TotalSeconds));
        Assert.Equal(9, runner.Current.Restarts);
        Assert.Equal("exit code 3", runner.Current.LastExit);
        Assert.Equal(0, runner.Current.Pid);
        Assert.Equal(Enumerable.Repeat("run", 10), Lines(spec.LogFiles));
        Assert.Equal(ReplicaState.Crashed, new StateStore(_workspace.StateDirectory).Load(_workspace.Host, _workspace.Root).Replicas.Single().State);
    }

    [Fact]
    public async Task A_program_that_cannot_start_ends_crashed_with_the_reason()
    {
        await using var runner = Runner(_workspace.Spec("ghost", "no-such-program-xyz", []));
        runner.Start();
        Assert.Equal(ReplicaState.Crashed, await runner.WaitForAsync(s => s == ReplicaState.Crashed, CancellationToken.None).WithDeadline());
        Assert.Contains("no-such-program-xyz", runner.Current.LastExit);
    }

    [Fact]
    public async Task A_clean_exit_under_on_failure_leaves_the_replica_stopped()
    {
        var spec = _workspace.Spec("job", "/bin/sh", ["-c", "echo done"]);
        await using var runner = Runner(spec);
        runner.Start();
        Assert.Equal(ReplicaState.Stopped, await runner.WaitForAsync(s => s == ReplicaState.Stopped, CancellationToken.None).WithDeadline());
        Assert.Equal("exit code 0", runner.Current.LastExit);
        Assert.Equal(["done"], Lines(spec.LogFiles));
    }

    [Fact]
    public async Task An_http_service_becomes_healthy_and_stop_leaves_nothing_behind()
    {
        var port = Ports.Free();
        var spec = _workspace.Spec("web", "python3", ["-m", "http.server", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1"]) with
        {
            Port = port,
            Health = new HealthConfig(HealthKind.Http, "/", TimeSpan.FromMilliseconds(50), Eventually.Deadline),
        };
        await using var runner = Runner(spec);

        runner.Start();
        Assert.Equal(ReplicaState.Healthy, await runner.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());
        var process = runner.Current.Process!.Value;
        Assert.Equal(process.Pid, ProcFs.ReadStat(process.Pid)!.Value.Session);

        Assert.Equal(StopOutcome.Graceful, await runner.StopAsync(CancellationToken.None));
        Assert.False(Procs.IsLive(process.Pid));
        Assert.Empty(_workspace.Host.GroupMembers(process));
        Assert.Equal(ReplicaState.Stopped, runner.Current.State);
        Assert.Contains(Lines(spec.LogFiles), l => l.Contains("GET / HTTP", StringComparison.Ordinal));
        Assert.False(File.Exists(spec.LogFiles.RawStdout));
    }

    [Fact]
    public async Task A_replica_that_never_gets_healthy_is_reported_unhealthy_and_replaced()
    {
        var spec = _workspace.Spec("mute", "sleep", ["1000"]) with
        {
            Health = new HealthConfig(HealthKind.Log, "ready", TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)),
        };
        await using var runner = Runner(spec);
        ProcessIdentity? unhealthy = null;
        runner.Changed += r =>
        {
            if (r.State == ReplicaState.Unhealthy)
                unhealthy ??= r.Process;
        };
        runner.Start();
        Assert.Equal(ReplicaState.Unhealthy, await runner.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());

        await runner.WaitForAsync(s => s == ReplicaState.Restarting, CancellationToken.None).WithDeadline();
        Assert.NotNull(unhealthy);
        Assert.False(Procs.IsLive(unhealthy.Value.Pid));
        await runner.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// An HTTP service whose /health answers 200, or 503 while a file named <c>sick</c> is in the workspace; it appends
    /// the time of each request to <c>NAME.requests</c>, so that a test can tell how far the probing got.
    /// </summary>
    private (ReplicaSpec Spec, string SickFile) SickableService(string name, TimeSpan timeout, RestartPolicy restart)
    {
        var port = Ports.Free();
        var server = Path.Combine(_workspace.Root, name + ".py");
        File.WriteAllText(server, """
            import http.server, os, sys, time
            class Health(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    with open(sys.argv[2], "a") as log:
                        log.write(f"{time.time()}\n")
                    self.send_response(503 if os.path.exists("sick") else 200)
                    self.end_headers()
                def log_message(self, *args):
                    pass
            http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
            """);
        var spec = _workspace.Spec(name, "python3", [server, port.ToString(CultureInfo.InvariantCulture), RequestLog(name)]) with
        {
            Port = port,
            Restart = restart,
            Health = new HealthConfig(HealthKind.Http, "/health", TimeSpan.FromMilliseconds(50), timeout),
        };
        return (spec, Path.Combine(_workspace.Root, "sick"));
    }

    private string RequestLog(string service) => Path.Combine(_workspace.Root, service + ".requests");

    /// <summary>The times, in seconds since the epoch, of the requests a <see cref="SickableService"/> has served.</summary>
    private List<double> Requests(string service) =>
        File.Exists(RequestLog(service))
            ? File.ReadAllLines(RequestLog(service)).Where(l => l.Length > 0).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : [];

    [Fact]
    public async Task A_ready_replica_that_stops_answering_turns_unhealthy_recovers_and_is_replaced_when_it_stays_failing()
    {
        var (spec, sick) = SickableService("wobbly", TimeSpan.FromSeconds(3), RestartPolicy.OnFailure);
        await using var runner = Runner(spec);
        runner.Start();
        Assert.Equal(ReplicaState.Healthy, await runner.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());
        var first = runner.Current.Process!.Value;

        // A short outage: unhealthy after three failed probes, healthy again at the next pass, same process.
        File.WriteAllText(sick, "");
        await runner.WaitForAsync(s => s == ReplicaState.Unhealthy, CancellationToken.None).WithDeadline();
        File.Delete(sick);
        await runner.WaitForAsync(s => s == ReplicaState.Healthy, CancellationToken.None).WithDeadline();
        Assert.Equal(first, runner.Current.Process);
        Assert.Equal(0, runner.Current.Restarts);

        // An outage longer than the health timeout: the replica is stopped and started again.
        File.WriteAllText(sick, "");
        await runner.WaitForAsync(s => s == ReplicaState.Restarting, CancellationToken.None).WithDeadline();
        Assert.Equal("unhealthy for 3s", runner.Current.LastExit);
        Assert.False(Procs.IsLive(first.Pid));
        File.Delete(sick);
        await Eventually.TrueAsync(() => runner.Current is { State: ReplicaState.Healthy, Restarts: 1 }, "the new replica to be healthy");
        Assert.NotEqual(first, runner.Current.Process);
        await runner.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Under_restart_no_an_unhealthy_replica_is_left_running_and_watched()
    {
        // The timeout also bounds the first start, so it leaves a loaded machine time to start Python.
        var (spec, sick) = SickableService("stubborn", TimeSpan.FromSeconds(2), RestartPolicy.No);
        await using var runner = Runner(spec);
        var states = new List<ReplicaState>();
        runner.Changed += r =>
        {
            lock (states) states.Add(r.State);
        };
        runner.Start();
        Assert.Equal(ReplicaState.Healthy, await runner.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());
        var process = runner.Current.Process!.Value;

        File.WriteAllText(sick, "");
        await runner.WaitForAsync(s => s == ReplicaState.Unhealthy, CancellationToken.None).WithDeadline();
        // Its health timeout passes: it is not replaced, since `restart: no` would not start it again. A probe served
        // after the timeout, and then another, tell that the watcher saw the timeout pass and went on probing.
        var timedOut = (DateTimeOffset.UtcNow + spec.Health.Timeout).ToUnixTimeMilliseconds() / 1000.0;
        await Eventually.TrueAsync(() => Requests("stubborn").Count(t => t >= timedOut) >= 2, "two probes after the health timeout");
        Assert.Equal(ReplicaState.Unhealthy, runner.Current.State);
        Assert.Equal(process, runner.Current.Process);
        Assert.True(Procs.IsLive(process.Pid));

        File.Delete(sick);
        await runner.WaitForAsync(s => s == ReplicaState.Healthy, CancellationToken.None).WithDeadline();
        Assert.Equal(process, runner.Current.Process);
        lock (states)
            Assert.DoesNotContain(ReplicaState.Restarting, states);
        await runner.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_log_health_probe_sees_the_replica_announce_itself()
    {
        var spec = _workspace.Spec("announcer", "/bin/sh", [_workspace.Script("announcer", "echo booting\necho 'Now listening'\nexec sleep 1000")]) with
        {
            Health = new HealthConfig(HealthKind.Log, "^Now listening$", TimeSpan.FromMilliseconds(10), Eventually.Deadline),
        };
        await using var runner = Runner(spec);
        runner.Start();
        Assert.Equal(ReplicaState.Healthy, await runner.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());
        await runner.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_replica_outlives_its_supervisor_and_is_adopted_without_losing_output()
    {
        var script = _workspace.Script("counter", "i=0\nwhile :; do i=$((i+1)); echo $i; echo err$i >&2; sleep 0.005; done");
        var spec = _workspace.Spec("counter", "/bin/sh", [script]);
        var first = Runner(spec);
        first.Start();
        await Eventually.TrueAsync(() => File.Exists(spec.LogFiles.Log) && File.ReadLines(spec.LogFiles.Log).Count() >= 10, "the first lines to be collected");
        var process = first.Current.Process!.Value;

        // The supervisor goes away without stopping anything, as if killed: the replica keeps printing.
        await first.DisposeAsync();
        var persisted = new StateStore(_workspace.StateDirectory).Load(_workspace.Host, _workspace.Root).Replicas.Single();
        Assert.Equal(process, persisted.Process);
        await Eventually.TrueAsync(() => new FileInfo(spec.LogFiles.RawStdout).Length > persisted.StdoutOffset + 200, "output while nobody collects");
        var printedWhileAway = LastNumberIn(spec.LogFiles.RawStdout);
        Assert.DoesNotContain(printedWhileAway.ToString(CultureInfo.InvariantCulture), Lines(spec.LogFiles));

        var state = new StateStore(_workspace.StateDirectory);
        var record = state.Load(_workspace.Host, _workspace.Root).Replicas.Single();
        await using var second = Runner(spec, state);
        second.Adopt(record);
        Assert.Equal(ReplicaState.Healthy, await second.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());
        var awayLine = printedWhileAway.ToString(CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => Lines(spec.LogFiles).Contains(awayLine), "the output printed while away to be collected");
        Assert.Equal(StopOutcome.Graceful, await second.StopAsync(CancellationToken.None));

        Assert.False(Procs.IsLive(process.Pid));
        Assert.Empty(_workspace.Host.GroupMembers(process));
        var lines = Lines(spec.LogFiles);
        var stdout = lines.Where(l => !l.StartsWith("err", StringComparison.Ordinal)).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        var stderr = lines.Where(l => l.StartsWith("err", StringComparison.Ordinal)).Select(l => int.Parse(l[3..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, stdout.Count), stdout);
        Assert.Equal(Enumerable.Range(1, stderr.Count), stderr);
        Assert.True(stdout.Count >= printedWhileAway);
    }

    /// <summary>The last complete number line of a raw capture file (its collected head reads as zero bytes).</summary>
    private static int LastNumberIn(string rawPath)
    {
        var text = File.ReadAllText(rawPath).Trim('\0');
        var complete = text[..(text.LastIndexOf('\n'))];
        return int.Parse(complete[(complete.LastIndexOf('\n') + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task After_a_crash_with_stale_offsets_adoption_repeats_lines_but_loses_none()
    {
        var script = _workspace.Script("counter", "i=0\nwhile :; do i=$((i+1)); echo $i; sleep 0.002; done");
        var spec = _workspace.Spec("counter", "/bin/sh", [script]);
        var first = Runner(spec);
        ReplicaRecord? earlyCommit = null;
        first.Changed += r =>
        {
            if (r.StdoutOffset > 0)
                Interlocked.CompareExchange(ref earlyCommit, r, null);
        };
        first.Start();
        await Eventually.TrueAsync(() => earlyCommit is not null && first.Current.StdoutOffset > earlyCommit.StdoutOffset, "lines committed after the first commit");
        await first.DisposeAsync();

        // kill -9 lands between two commits: the state file still holds the earlier offsets.
        var state = new StateStore(_workspace.StateDirectory);
        state.Upsert(earlyCommit!);
        await using var second = Runner(spec, state);
        second.Adopt(state.Load(_workspace.Host, _workspace.Root).Replicas.Single());
        var lastBefore = Lines(spec.LogFiles).Count;
        await Eventually.TrueAsync(() => Lines(spec.LogFiles).Count > lastBefore + 100, "more output collected");
        await second.StopAsync(CancellationToken.None);

        var numbers = Lines(spec.LogFiles).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Max()), numbers.Distinct());
        Assert.True(numbers.Count > numbers.Max(), "the lines after the stale offsets were collected twice");
    }

    [Fact]
    public async Task A_dead_supervisors_replica_can_be_stopped_without_adopting_and_its_output_is_kept()
    {
        var spec = _workspace.Spec("api", "/bin/sh", [_workspace.Script("talker", "echo before\nexec sleep 1000")]);
        var orphan = _workspace.Host.Spawn(spec.ToSpawnRequest());
        _workspace.Track(orphan);
        await Eventually.TrueAsync(() => File.Exists(spec.LogFiles.RawStdout) && File.ReadAllText(spec.LogFiles.RawStdout) == "before\n", "the output");
        var state = new StateStore(_workspace.StateDirectory);
        state.Upsert(new ReplicaRecord { Service = "api", Replica = 0, Pid = orphan.Pid, StartTime = orphan.StartTime, State = ReplicaState.Healthy });

        await using var runner = Runner(spec, state);
        Assert.Equal(StopOutcome.Graceful, await runner.StopAsync(CancellationToken.None));

        Assert.False(Procs.IsLive(orphan.Pid));
        Assert.Equal(["before"], Lines(spec.LogFiles));
        Assert.Equal(ReplicaState.Stopped, state.Replicas.Single().State);
    }

    [Fact]
    public async Task An_adopted_replica_that_dies_counts_as_a_failure_and_is_restarted()
    {
        var spec = _workspace.Spec("api", "sleep", ["1000"]);
        var orphan = _workspace.Spawn("api", "sleep", ["1000"]);
        var state = new StateStore(_workspace.StateDirectory);
        var record = new ReplicaRecord { Service = "api", Replica = 0, Pid = orphan.Pid, StartTime = orphan.StartTime, State = ReplicaState.Healthy };
        state.Upsert(record);
        await using var runner = Runner(spec, state);

        runner.Adopt(record);
        _workspace.Host.SignalGroup(orphan, StopSignals.Kill);

        await runner.WaitForAsync(s => s == ReplicaState.Restarting, CancellationToken.None).WithDeadline();
        await runner.WaitForAsync(s => s == ReplicaState.Healthy, CancellationToken.None).WithDeadline();
        Assert.NotEqual(orphan, runner.Current.Process);
        Assert.Equal(1, runner.Current.Restarts);
        await runner.StopAsync(CancellationToken.None);
    }


    public void Dispose() => _workspace.Dispose();
}
