using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, point 4 and the fault-injection acceptance: faults at the worst moment. After each, nothing is left in
/// /proc that should not be, and no command reports success while the fleet it controls disagrees.
/// </summary>
[StartsEarly]
public sealed class FaultInjectionTests(MinimalApi api) : IClassFixture<MinimalApi>
{
    [Fact]
    public async Task A_supervisor_killed_during_a_reruns_build_takes_its_build_host_with_it_and_the_next_start_serves_the_new_build()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        Directory.CreateDirectory(fleet.PathOf("packages"));
        await fleet.RunOkAsync("start", "--no-build");
        var supervisor = fleet.SupervisorPid!.Value;

        await fleet.WatchingAsync("api");
        fleet.Write("api/Program.cs", MinimalApi.Program.Replace("$\"hello from {who}", "$\"rebuilt from {who}"));
        var host = await Eventually.ValueAsync(() => Procs.LiveWithCommandLine($"__buildhost --config {fleet.PathOf("orchestra.yml")}").Cast<int?>().FirstOrDefault() is { } pid ? (object)pid : null,
            "the rerun's build to begin");
        Procs.Signal(supervisor, Procs.SigKill);
        // The host must not outlive its supervisor: its input closes with the supervisor, and it ends, build and all.
        await Eventually.TrueAsync(() => !Procs.IsLive((int)host), "the build host to end with its supervisor");
        Assert.StartsWith("hello from api", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{ReplicaPort(fleet)}/hello"));

        await fleet.RunOkAsync("start");

        Assert.StartsWith("rebuilt from api", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/hello"));
        Assert.Single(await fleet.PsAsync("api"));
    }

    [Fact]
    public async Task Deleting_the_state_folder_under_a_running_fleet_leaves_one_supervisor_that_stop_still_reaches()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        fleet.PythonService("web", PythonHttpServer.Answering("\"up\""), $"port: {port}\nscale: 2\nhealth: {{ http: / }}\n");
        await fleet.RunOkAsync("start");
        var supervisor = fleet.SupervisorPid!.Value;
        var replicas = await fleet.PsAsync();

        Directory.Delete(fleet.StateDirectory, recursive: true);
        var ps = await fleet.PsAsync();

        // A supervisor that ps started before the old one made its folder again finds the old one and leaves.
        await Eventually.TrueAsync(() => Procs.LiveWithCommandLine($"__supervise --config {fleet.PathOf("orchestra.yml")}").SequenceEqual([supervisor]), "one supervisor, the first");
        Assert.Equal(replicas.Select(r => (r.Pid, "healthy")), ps.Select(r => (r.Pid, r.State)));
        Assert.Equal("up", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/"));
        await fleet.RunOkAsync("stop");
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to end");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    [Fact]
    public async Task A_supervisor_out_of_file_descriptors_keeps_serving_and_answers_the_command_that_waited_once_it_has_some()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("idle", PythonIdle.Printing("up"), "health: { log: up }\n");
        await fleet.RunOkAsync("start");
        var supervisor = fleet.SupervisorPid!.Value;

        // Below what it holds, as a supervisor with many replicas and log files can be: accepting fails with EMFILE.
        // A control server that ended there would leave a supervisor that holds the lock and that no command reaches.
        var limit = Procs.LimitOpenFiles(supervisor, (ulong)Procs.OpenFiles(supervisor) / 2);
        var ps = fleet.RunAsync("ps", "--json");
        try
        {
            await Eventually.TrueAsync(() => fleet.SupervisorLog.Contains("cannot accept a command's connection"), "the supervisor to fail to accept");
        }
        finally
        {
            Procs.LimitOpenFiles(supervisor, limit);
        }

        var answer = await ps;
        Assert.True(answer.ExitCode == 0, answer.ToString());
        Assert.Equal("healthy", Assert.Single(PsReplica.Parse(answer.Out)).State);
        Assert.Contains("accepting commands' connections again", fleet.SupervisorLog, StringComparison.Ordinal);
        Assert.Equal([supervisor], Procs.LiveWithCommandLine($"__supervise --config {fleet.PathOf("orchestra.yml")}"));
    }

    /// <summary>Serves HTTP on $PORT after starting a child in a session of its own, which inherits the replica's markers.</summary>
    private static readonly string WithEscapedChild = "import subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)\n" + PythonHttpServer.Answering("'up'");

    /// <summary>Kills the supervisor with SIGKILL and damages the state file, so the next command finds the replicas through /proc.</summary>
    private static async Task LoseTheSupervisorAndItsRecordsAsync(TestFleet fleet)
    {
        var supervisor = fleet.SupervisorPid!.Value;
        Procs.Signal(supervisor, Procs.SigKill);
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to die");
        File.WriteAllText(Path.Combine(fleet.StateDirectory, "state.json"), "{ \"replicas\": [ {\"service\": ");
    }

    [Fact]
    public async Task Recovery_from_proc_adopts_the_replica_and_not_its_child_that_left_its_session()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("web", WithEscapedChild, $"port: {Ports.Free()}\nhealth: {{ http: / }}\n");
        await fleet.RunOkAsync("start");
        var replica = (await fleet.ReplicaAsync("web")).Pid!.Value;
        var child = (int)await Eventually.ValueAsync(() => Procs.LiveInWorkspace(fleet.Root).Where(p => p != replica).Cast<int?>().FirstOrDefault() is { } pid ? (object)pid : null, "the escaped child");
        await LoseTheSupervisorAndItsRecordsAsync(fleet);

        var ps = await fleet.RunOkAsync("ps");

        Assert.Equal(replica, (await fleet.ReplicaAsync("web")).Pid);
        Assert.Contains($"Not adopted, as they descend from a replica and left its session (setsid): pid {child} (web.0)", ps.Error);
        Assert.True(Procs.IsLive(child), "the escaped child was stopped");
        Procs.Signal(child, Procs.SigKill);
    }

    [Fact]
    public async Task Recovery_from_proc_does_not_take_a_stopped_services_escaped_child_for_its_replica()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("web", WithEscapedChild, $"port: {Ports.Free()}\nhealth: {{ http: / }}\n");
        fleet.PythonService("other", "import time\nprint('up', flush=True)\nwhile True:\n    time.sleep(1)\n", "health: { log: \"up\" }\n");
        await fleet.RunOkAsync("start");
        var replica = (await fleet.ReplicaAsync("web")).Pid!.Value;
        await fleet.RunOkAsync("stop", "web");
        var child = Assert.Single(Procs.LiveInWorkspace(fleet.Root), p => Procs.CommandLine(p).StartsWith("sleep", StringComparison.Ordinal));
        await LoseTheSupervisorAndItsRecordsAsync(fleet);

        var ps = await fleet.RunOkAsync("ps");

        Assert.DoesNotContain(await fleet.PsAsync(), r => r.Service == "web" && r.Pid is not null);
        Assert.Contains($"pid {child} (web.0)", ps.Error);
        Assert.True(Procs.IsLive(child), "the escaped child was stopped");
        Assert.False(Procs.IsLive(replica));
        Procs.Signal(child, Procs.SigKill);
    }

    /// <summary>
    /// A service whose replicas count their output lines ("tick PID N", every 20 ms) and are healthy only once the test
    /// lets them: <c>/health</c> answers 200 when a file <c>ready-all</c> or <c>ready-PID</c> is in its folder. So a
    /// test holds a new replica in <c>starting</c> for as long as it needs to kill the supervisor there.
    /// <c>/</c> answers the pid, to tell replicas apart behind the proxy.
    /// </summary>
    private const string Gated = """
        import http.server, os, signal, threading, time
        pid = os.getpid()
        def ticks():
            n = 0
            while True:
                print(f"tick {pid} {n}", flush=True)
                n += 1
                time.sleep(0.02)
        threading.Thread(target=ticks, daemon=True).start()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                ready = os.path.exists("ready-all") or os.path.exists(f"ready-{pid}")
                body = str(pid).encode()
                self.send_response(200 if self.path != "/health" or ready else 503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
        server.serve_forever()
        """;

    private static (TestFleet Fleet, int Port) GatedFleet(string moreYaml = "")
    {
        var fleet = new TestFleet();
        var port = Ports.Free();
        fleet.PythonService("web", Gated, $"port: {port}\nhealth: {{ http: /health, interval: 100ms }}\n{moreYaml}");
        ReadyAll(fleet, true);
        return (fleet, port);
    }

    /// <summary>Lets every replica be healthy (true), or only those released one by one (false), which keeps those healthy now healthy.</summary>
    private static void ReadyAll(TestFleet fleet, bool all)
    {
        var file = fleet.PathOf("web/ready-all");
        if (all)
        {
            File.WriteAllText(file, "");
            return;
        }
        foreach (var pid in Procs.LiveInWorkspace(fleet.Root))
            File.WriteAllText(fleet.PathOf($"web/ready-{pid}"), "");
        File.Delete(file);
    }

    /// <summary>A replica of web that is starting, by pid, once one is.</summary>
    private static Task<PsReplica> StartingReplicaAsync(TestFleet fleet, IReadOnlyCollection<int?> besides) =>
        Eventually.ValueAsync(async () => (await fleet.PsAsync("web")).FirstOrDefault(r => r.State == "starting" && r.Pid is not null && !besides.Contains(r.Pid)),
            "a new replica to be starting");

    private static async Task KillSupervisorAsync(TestFleet fleet)
    {
        var supervisor = fleet.SupervisorPid!.Value;
        Procs.Signal(supervisor, Procs.SigKill);
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to die");
    }

    /// <summary>
    /// After a fault: once the next supervisor has settled the fleet, what ps says is what runs (no replica it does not
    /// name, none it names that is gone), a stop ends everything, supervisor included, and every replica's ticks are
    /// in the logs with none missing in between.
    /// </summary>
    private static async Task AssertRecoveredAsync(TestFleet fleet, int replicas)
    {
        ReadyAll(fleet, true);
        var ps = await Eventually.ValueAsync(async () => await fleet.PsAsync("web") is var all && all.Count(r => r.State == "healthy") == replicas && all.All(r => r.State is "healthy" or "stopped") ? all : null,
            $"{replicas} healthy replicas");
        Assert.Equal(ps.Where(r => r.Pid is not null).Select(r => r.Pid!.Value).Order(), Procs.LiveInWorkspace(fleet.Root).Order());

        await fleet.RunOkAsync("stop");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
        Assert.Null(fleet.SupervisorPid);
        var ticks = new Dictionary<string, List<long>>();
        foreach (var log in Directory.EnumerateFiles(Path.Combine(fleet.StateDirectory, "logs"), "web.*.log*"))
        {
            foreach (var line in fleet.LogLinesOf(log))
            {
                var parts = line.Split(' ');
                if (parts is ["tick", var pid, var n])
                    (ticks.TryGetValue(pid, out var list) ? list : ticks[pid] = []).Add(long.Parse(n, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        Assert.NotEmpty(ticks);
        // At least once: lines printed between the last offset commit and a kill -9 of the supervisor are collected
        // again by the next one (docs/runtime.md), so a line may appear twice, but none may be missing.
        foreach (var (pid, numbers) in ticks)
        {
            var distinct = numbers.Distinct().Order().ToList();
            Assert.True(distinct.SequenceEqual(Enumerable.Range(0, distinct.Count).Select(i => (long)i)), $"replica pid {pid} lost lines: {distinct.Count} of 0..{distinct[^1]}");
        }
    }

    [Fact]
    public async Task A_supervisor_killed_while_start_waits_for_health_fails_that_start_and_the_next_one_adopts()
    {
        var (fleet, _) = GatedFleet("scale: 2\n");
        await using var _ = fleet;
        ReadyAll(fleet, false);
        var start = fleet.RunAsync("start");
        // Both replicas spawned and waiting for health: killed any sooner, the supervisor never made the second one.
        await Eventually.TrueAsync(async () => (await fleet.PsAsync("web")).Count(r => r.State == "starting" && r.Pid is not null) == 2,
            "both replicas to be starting");

        await KillSupervisorAsync(fleet);

        Assert.NotEqual(0, (await start).ExitCode);
        await AssertRecoveredAsync(fleet, 2);
    }

    [Theory]
    [InlineData("scale: 2\n", "restart web")]
    [InlineData("", "scale web=2")]
    public async Task A_supervisor_killed_while_a_restart_or_scale_starts_a_replica_fails_it_and_the_next_one_adopts(string yaml, string command)
    {
        var (fleet, _) = GatedFleet(yaml);
        await using var _ = fleet;
        await fleet.RunOkAsync("start");
        var before = (await fleet.PsAsync("web")).Select(r => r.Pid).ToList();
        ReadyAll(fleet, false);
        var running = fleet.RunAsync(command.Split(' '));
        await StartingReplicaAsync(fleet, before);

        await KillSupervisorAsync(fleet);

        Assert.NotEqual(0, (await running).ExitCode);
        await AssertRecoveredAsync(fleet, 2);
    }

    [Fact]
    public async Task A_supervisor_killed_while_a_scale_down_drains_fails_the_scale_and_the_replica_is_still_accounted_for()
    {
        var (fleet, port) = GatedFleet("scale: 2\n");
        await using var _ = fleet;
        await fleet.RunOkAsync("start");
        var replicas = await fleet.PsAsync("web");
        // Half-sent requests hold connections open through the proxy, so the drain of replica 1 has to wait.
        var held = new List<System.Net.Sockets.TcpClient>();
        for (var i = 0; i < 4; i++)
        {
            var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            await client.GetStream().WriteAsync("GET / HTTP/1.1\r\n"u8.ToArray());
            held.Add(client);
        }
        var scale = fleet.RunAsync("scale", "web=1");
        var first = replicas.Single(r => r.Replica == 0).Pid.ToString();
        // Draining: new connections all go to replica 0 while replica 1 still runs.
        await Eventually.TrueAsync(async () =>
        {
            for (var i = 0; i < 4; i++)
            {
                if (await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/") != first)
                    return false;
            }
            return true;
        }, "replica 1 to leave the routes");
        Assert.All(replicas, r => Assert.True(Procs.IsLive(r.Pid!.Value)));

        await KillSupervisorAsync(fleet);
        foreach (var client in held)
            client.Dispose();

        Assert.NotEqual(0, (await scale).ExitCode);
        await AssertRecoveredAsync(fleet, 2);
    }

    [Fact]
    public async Task A_supervisor_killed_while_a_rerun_replaces_a_replica_leaves_a_fleet_the_next_one_adopts()
    {
        var (fleet, _) = GatedFleet("watch: { include: [\"*.py\"] }\n");
        await using var _ = fleet;
        await fleet.RunOkAsync("start");
        var before = (await fleet.PsAsync("web")).Select(r => r.Pid).ToList();
        ReadyAll(fleet, false);

        await fleet.WatchingAsync("web");
        fleet.Write("web/main.py", Gated + "\n# changed\n");
        await StartingReplicaAsync(fleet, before);
        await KillSupervisorAsync(fleet);

        await AssertRecoveredAsync(fleet, 1);
    }

    [Fact]
    public async Task A_supervisor_killed_after_a_surge_replica_took_over_leaves_the_new_one_and_the_next_supervisor_stops_the_old()
    {
        var (fleet, port) = GatedFleet("watch: { include: [\"*.py\"] }\nstop: { drain: 60s }\n");
        await using var _ = fleet;
        await fleet.RunOkAsync("start");
        var old = (await fleet.ReplicaAsync("web")).Pid!.Value;
        // A connection the old replica must finish: it keeps it draining, beside the surge that took over, until the kill.
        using var held = new System.Net.Sockets.TcpClient();
        await held.ConnectAsync(System.Net.IPAddress.Loopback, port);

        await fleet.WatchingAsync("web");
        fleet.Write("web/main.py", Gated + "\n# changed\n");
        var surge = await Eventually.ValueAsync(async () => (await fleet.PsAsync("web")).FirstOrDefault(r => r.State == "healthy" && r.Pid is { } pid && pid != old),
            "the surge replica to be healthy beside the old one");
        await Eventually.TrueAsync(() => File.ReadAllText(Path.Combine(fleet.StateDirectory, "surges.json")).Contains("\"switched\": true"), "the switch to be recorded");
        Assert.True(Procs.IsLive(old), "the old replica stopped before its connection was finished");
        await KillSupervisorAsync(fleet);

        await Eventually.TrueAsync(async () => (await fleet.PsAsync("web")).Select(r => r.Pid).SequenceEqual([surge.Pid]), "the next supervisor to keep only the surge replica");
        Assert.False(Procs.IsLive(old), "the old replica outlived the switch");
        await AssertRecoveredAsync(fleet, 1);
    }

    [Fact]
    public async Task A_state_folder_that_cannot_be_written_leaves_the_fleet_running_and_restarting_and_says_so()
    {
        var (fleet, _) = GatedFleet();
        await using var _ = fleet;
        await fleet.RunOkAsync("start");
        var first = (await fleet.ReplicaAsync("web")).Pid!.Value;
        await using (var immutable = await ImmutableFolder.LockAsync(fleet.StateDirectory))
        {
            Procs.Signal(first, Procs.SigKill);
            var replaced = await Eventually.ValueAsync(async () => await fleet.ReplicaAsync("web") is { State: "healthy" } r && r.Pid != first ? r : null, "the replica to be restarted");
            var ps = await fleet.RunOkAsync("ps");
            Assert.Contains($"Orchestra runs on, but the state file {Path.Combine(fleet.StateDirectory, "state.json")} cannot be written (permission denied)", ps.Error);
            await immutable.ReleaseAsync();
            await fleet.RunOkAsync("ps");
            Assert.Contains($"\"pid\": {replaced.Pid}", File.ReadAllText(Path.Combine(fleet.StateDirectory, "state.json")));
        }
        Assert.DoesNotContain("cannot be written", (await fleet.RunOkAsync("ps")).Error);
        await AssertRecoveredAsync(fleet, 1);
    }

    [Fact]
    public async Task A_log_folder_nothing_can_be_written_in_for_a_while_loses_no_line_and_stop_still_works()
    {
        var (fleet, _) = GatedFleet();
        await using var _ = fleet;
        await fleet.RunOkAsync("start");
        var logs = Path.Combine(fleet.StateDirectory, "logs");
        var pid = (await fleet.ReplicaAsync("web")).Pid!.Value;
        await using (var immutable = await ImmutableFolder.LockAsync(logs))
        {
            // Nothing can be created, renamed or deleted there now: the surge replica of a restart cannot get capture
            // files of its own, so it never starts and the old one serves on, its lines waiting in its capture files
            // until the folder is writable again.
            var restart = await fleet.RunAsync("restart", "web");
            Assert.True(restart.ExitCode == 1, restart.ToString());
            Assert.True(Procs.IsLive(pid), "the old replica was stopped although its replacement could not start");
            await fleet.RunOkAsync("ps");
            await immutable.ReleaseAsync();
        }
        await AssertRecoveredAsync(fleet, 1);
    }

    [Fact]
    public async Task Commands_from_two_shells_at_once_leave_a_fleet_that_ps_describes_truly()
    {
        var (fleet, _) = GatedFleet();
        await using var _ = fleet;
        ReadyAll(fleet, false);
        // A start waiting for health, and a stop from another shell: the stop wins at once and the start says so.
        var start = fleet.RunAsync("start");
        await StartingReplicaAsync(fleet, []);
        var stop = await fleet.RunAsync("stop");
        var started = await start;
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.True(started.ExitCode == 1, started.ToString());
        await Eventually.TrueAsync(() => Procs.LiveInWorkspace(fleet.Root).Count == 0, "nothing to run");

        // Two scales at once: they take turns, each succeeds, and the fleet ends at one of the two counts.
        ReadyAll(fleet, true);
        await fleet.RunOkAsync("start");
        var scales = await Task.WhenAll(fleet.RunAsync("scale", "web=3"), fleet.RunAsync("scale", "web=2"));
        Assert.All(scales, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var count = (await fleet.PsAsync("web")).Count(r => r.State == "healthy");
        Assert.Contains(count, new[] { 2, 3 });
        // And two restarts at once: both succeed, one after the other.
        var restarts = await Task.WhenAll(fleet.RunAsync("restart", "web"), fleet.RunAsync("restart", "web"));
        Assert.All(restarts, r => Assert.True(r.ExitCode == 0, r.ToString()));
        await AssertRecoveredAsync(fleet, count);
    }

    /// <summary>The port the replica itself listens on, from the state file: the public port closes with the supervisor.</summary>
    private static int ReplicaPort(TestFleet fleet)
    {
        var state = File.ReadAllText(Path.Combine(fleet.StateDirectory, "state.json"));
        var match = System.Text.RegularExpressions.Regex.Match(state, "\"port\": (\\d+)");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
