using System.Globalization;
using Orchestra.Configuration;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;

namespace Orchestra.Runtime.Tests.Replicas;

/// <summary>A replica's health as its runner probes it: never healthy, sick and recovered, watched under restart: no.</summary>
public sealed class ReplicaHealthTests : ReplicaRunnerTestBase
{
    [Fact]
    public async Task A_replica_that_never_gets_healthy_is_reported_unhealthy_and_replaced()
    {
        var spec = Workspace.Spec("mute", "sleep", ["1000"]) with
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
        var server = Path.Combine(Workspace.Root, name + ".py");
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
        var spec = Workspace.Spec(name, "python3", [server, port.ToString(CultureInfo.InvariantCulture), RequestLog(name)]) with
        {
            Port = port,
            Restart = restart,
            Health = new HealthConfig(HealthKind.Http, "/health", TimeSpan.FromMilliseconds(50), timeout),
        };
        return (spec, Path.Combine(Workspace.Root, "sick"));
    }

    private string RequestLog(string service) => Path.Combine(Workspace.Root, service + ".requests");

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
        var spec = Workspace.Spec("announcer", "/bin/sh", [Workspace.Script("announcer", "echo booting\necho 'Now listening'\nexec sleep 1000")]) with
        {
            Health = new HealthConfig(HealthKind.Log, "^Now listening$", TimeSpan.FromMilliseconds(10), Eventually.Deadline),
        };
        await using var runner = Runner(spec);
        runner.Start();
        Assert.Equal(ReplicaState.Healthy, await runner.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());
        await runner.StopAsync(CancellationToken.None);
    }
}
