using System.Collections.Concurrent;
using Orchestra.Discovery;
using Orchestra.Launching;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Fleet;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.Supervisor;

/// <summary>The supervisor's parts, on replicas without processes (<see cref="InMemoryReplicaRunner"/>).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FleetPartsTests : IAsyncLifetime
{
    private readonly TempWorkspace _temp = new();
    private readonly ConcurrentQueue<InMemoryReplicaRunner> _runners = new();
    private readonly Dictionary<string, ReplicaState> _startsAs = [];
    // How many replicas were not stopped as each new one was made, in order: tells a surge from a stop-then-start.
    private readonly ConcurrentQueue<int> _runningWhenMade = new();
    private FleetSupervisor? _fleet;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 disposes a test class only through IDisposable or IAsyncLifetime.
    public async Task DisposeAsync()
    {
        if (_fleet is not null)
            await _fleet.DisposeAsync();
        _temp.Dispose();
    }

    private static ReplicaSpec Spec(string service, int replica) => new()
    {
        Service = service, Replica = replica, Program = "/bin/true", WorkingDirectory = "/", Environment = new Dictionary<string, string>(), StateDirectory = "/nonexistent",
    };

    /// <summary>A supervisor of command services (name, depends_on) whose replicas are in memory.</summary>
    private FleetSupervisor Fleet(params (string Name, string DependsOn)[] services) => Fleet(TimeProvider.System, services);

    private FleetSupervisor Fleet(TimeProvider time, params (string Name, string DependsOn)[] services)
    {
        _temp.Write("orchestra.yml", "name: parts\n");
        foreach (var (name, dependsOn) in services)
            _temp.Service(name, $"command: [\"/bin/true\"]\n{(dependsOn.Length > 0 ? $"depends_on: [{dependsOn}]\n" : "")}", withProject: false);
        return Supervise(time);
    }

    /// <summary>A supervisor of one command service behind the port proxy on a free port; returns that port too.</summary>
    private (FleetSupervisor Fleet, int Port) ProxiedFleet(string name)
    {
        var port = Ports.Free();
        _temp.Write("orchestra.yml", "name: parts\n");
        _temp.Service(name, $"command: [\"/bin/true\"]\nport: {port}\n", withProject: false);
        return (Supervise(TimeProvider.System), port);
    }

    private FleetSupervisor Supervise(TimeProvider time)
    {
        new SupervisorPaths(Path.Combine(_temp.Root, ".orchestra")).EnsureStateDirectory();
        _fleet = new FleetSupervisor(new LoadedWorkspace(WorkspaceLoader.Load(_temp.ConfigPath)), new LinuxProcessHost(), new RuntimeOptions { Time = time }, new ProcessCommand("/bin/false", []), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, spec =>
        {
            var runner = new InMemoryReplicaRunner(spec, _startsAs.GetValueOrDefault(spec.Service, ReplicaState.Healthy));
            _runningWhenMade.Enqueue(_runners.Count(r => !r.Stopped));
            _runners.Enqueue(runner);
            return runner;
        });
        return _fleet;
    }

    private static ControlRequest Request(ControlOp op, params string[] services) => new()
    {
        Op = op,
        Services = services,
        Launch = services.Select(s => new LaunchSpec(s, ["/bin/true"], []) { Options = new LaunchOptions("start", new Dictionary<string, string>()) }).ToList(),
    };

    private static Task<ControlEvent> Send(FleetSupervisor fleet, ControlRequest request) =>
        fleet.HandleAsync(request, _ => Task.CompletedTask, CancellationToken.None);

    [Fact]
    public void The_table_tells_state_and_port_changes_in_order_and_keeps_offset_commits_to_itself()
    {
        var table = new ReplicaTable();
        var changes = new List<ReplicaChange>();
        table.Changed += changes.Add;
        var runner = new InMemoryReplicaRunner(Spec("api", 0), ReplicaState.Healthy);

        table.Add(runner);
        runner.Become(ReplicaState.Starting);
        runner.CommitOffsets(100);
        runner.CommitOffsets(200);
        runner.Become(ReplicaState.Healthy);
        table.Drain(runner);
        table.Remove(runner);

        Assert.Equal(
            ["changed Stopped→", "changed Starting←Stopped", "changed Healthy←Starting", "draining", "removed"],
            changes.Select(c => c switch
            {
                ReplicaStateChanged { Before: null } s => $"changed {s.Record.State}→",
                ReplicaStateChanged s => $"changed {s.Record.State}←{s.Before}",
                ReplicaDraining => "draining",
                ReplicaRemoved => "removed",
                _ => c.ToString(),
            }));
        Assert.Empty(table.Snapshot());
    }

    [Fact]
    public async Task The_state_file_follows_every_recorded_change_and_a_change_told_late_never_wins()
    {
        var fleet = Fleet(("api", ""));
        var state = new StateStore(Path.Combine(_temp.Root, ".orchestra"));
        Assert.Null((await Send(fleet, Request(ControlOp.Start, "api"))).Failure);
        var runner = _runners.Single();
        var older = runner.Current;

        runner.CommitOffsets(500);
        runner.TellLate(older);

        await Eventually.TrueAsync(() => state.Peek() is [{ StdoutOffset: 500 }], "the offsets written");
        Assert.Equal(ReplicaState.Healthy, Assert.Single(state.Peek()!).State);
        Assert.Null((await Send(fleet, Request(ControlOp.Stop, "api"))).Failure);
        Assert.Equal(ReplicaState.Stopped, Assert.Single(state.Peek()!).State);
    }

    [Fact]
    public async Task Log_offsets_of_the_whole_fleet_are_written_together_once_per_interval_and_a_new_state_at_once()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var fleet = Fleet(clock, ("api", ""));
        _temp.Write("api/service.yml", "command: [\"/bin/true\"]\nscale: 10\n");
        var state = new StateStore(Path.Combine(_temp.Root, ".orchestra"));
        Assert.Null((await Send(fleet, Request(ControlOp.Start, "api"))).Failure);
        var runners = _runners.ToList();
        Assert.Equal(10, runners.Count);
        // The start's own news (each replica healthy) reaches the file with the request's flush, or, when a replica's
        // news came after that flush, with the writer's next write: the clock moves on until it is there; then nothing is news.
        await Eventually.TrueAsync(() =>
        {
            if (state.Peek() is { Count: 10 } records && records.All(r => r.State == ReplicaState.Healthy))
                return true;
            clock.Advance(StatePersistence.ProgressInterval);
            return false;
        }, "the started replicas recorded");
        for (var offset = 1; offset <= 50; offset++)
        {
            foreach (var runner in runners)
                runner.CommitOffsets(offset);
        }

        // 500 commits and the clock has not moved: not one write yet.
        Assert.All(state.Peek()!, r => Assert.Equal(0, r.StdoutOffset));
        // The writer sets its timer once woken, on another thread: the clock moves on until it has fired.
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return state.Peek()!.All(r => r.StdoutOffset == 50);
        }, "all ten replicas' offsets written");

        runners[0].CommitOffsets(51);
        Assert.Equal(50, state.Peek()![0].StdoutOffset);
        // A change a later supervisor adopts by (a new process) is written at once, with the offsets that waited.
        runners[1].Spawned(4242);
        var recorded = state.Peek()!;
        Assert.Equal((51L, 4242), (recorded[0].StdoutOffset, recorded[1].Pid));
    }

    [Fact]
    public async Task Fifty_replicas_starting_write_the_state_file_once_per_spawn_and_their_states_together_within_the_interval()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var table = new ReplicaTable();
        var stateDirectory = Path.Combine(_temp.Root, ".orchestra");
        new SupervisorPaths(stateDirectory).EnsureStateDirectory();
        var state = new StateStore(stateDirectory);
        await using var persistence = new StatePersistence(table, state, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var runners = Enumerable.Range(0, 50).Select(i => new InMemoryReplicaRunner(Spec("api", i), ReplicaState.Healthy)).ToList();

        // New replicas without a process yet: nothing a later supervisor could adopt, nothing written.
        runners.ForEach(table.Add);
        Assert.Equal(0, state.Writes);
        // Each spawn is written at once: killed right after it, the supervisor leaves its pid for the next one to adopt.
        for (var i = 0; i < runners.Count; i++)
            runners[i].Spawned(1000 + i);
        Assert.Equal(50, state.Writes);
        // Fifty turn healthy, then one unhealthy: the clock stands, so none of it is written yet.
        runners.ForEach(r => r.Become(ReplicaState.Healthy));
        runners[7].Become(ReplicaState.Unhealthy);
        Assert.Equal(50, state.Writes);
        Assert.All(state.Peek()!, r => Assert.Equal(ReplicaState.Starting, r.State));

        // Within the interval, all of it in one write.
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(StatePersistence.ProgressInterval);
            return state.Peek()!.Count(r => r.State == ReplicaState.Healthy) == 49;
        }, "the states written");
        Assert.Equal(51, state.Writes);
        Assert.Equal(ReplicaState.Unhealthy, state.Peek()![7].State);
        // A request's end writes only what waits: here nothing.
        persistence.Flush();
        Assert.Equal(51, state.Writes);
    }

    [Fact]
    public async Task Services_start_in_dependency_waves_and_stop_in_reverse()
    {
        var fleet = Fleet(("db", ""), ("api", "db"), ("web", "api"));

        var started = await Send(fleet, Request(ControlOp.Start, "web", "api", "db"));
        var order = _runners.Select(r => r.Spec.Service).ToList();
        var stopped = await Send(fleet, Request(ControlOp.Stop));

        Assert.Null(started.Failure);
        Assert.Equal(["db", "api", "web"], order);
        Assert.Equal(["web", "api", "db"], stopped.Replicas.Select(r => r.Service));
        Assert.All(_runners, r => Assert.True(r.Stopped));
    }

    [Fact]
    public async Task A_start_whose_service_is_not_healthy_stops_again_what_it_started_and_leaves_what_ran()
    {
        var fleet = Fleet(("db", ""), ("api", "db"), ("other", ""));
        await Send(fleet, Request(ControlOp.Start, "other"));
        _startsAs["api"] = ReplicaState.Unhealthy;

        var failed = await Send(fleet, Request(ControlOp.Start, "db", "api"));

        Assert.Equal(Orchestra.Errors.FailureKind.Failure, failed.Failure?.Kind);
        Assert.StartsWith("Service 'api' did not become healthy: it is unhealthy", failed.Failure?.Message);
        Assert.Equal(["other"], _runners.Where(r => !r.Stopped).Select(r => r.Spec.Service));
        Assert.False(fleet.ShutdownRequested.IsCancellationRequested);
    }

    [Fact]
    public async Task Ps_asked_fifty_times_while_scale_goes_1_5_1_always_gets_a_consistent_answer()
    {
        var fleet = Fleet(("api", ""));
        await Send(fleet, Request(ControlOp.Start, "api"));
        var scaling = Task.Run(async () =>
        {
            foreach (var count in new[] { 5, 1, 5, 1 })
                Assert.Null((await Send(fleet, new ControlRequest { Op = ControlOp.Scale, Scales = new Dictionary<string, int> { ["api"] = count } })).Failure?.Message);
        });

        var answers = new List<IReadOnlyList<ReplicaStatus>>();
        for (var i = 0; i < 50; i++)
            answers.Add((await Send(fleet, new ControlRequest { Op = ControlOp.Status })).Replicas);
        await scaling;

        Assert.All(answers, replicas =>
        {
            Assert.Equal(replicas.Select(r => r.Replica).Distinct().Count(), replicas.Count);
            Assert.Equal(replicas.Select(r => r.Replica).Order(), replicas.Select(r => r.Replica));
            Assert.All(replicas, r => Assert.Contains(r.State, new[] { ReplicaState.Starting, ReplicaState.Healthy, ReplicaState.Stopping, ReplicaState.Stopped }));
            Assert.Contains(replicas, r => r.Replica == 0 && r.State == ReplicaState.Healthy);
        });
        var final = (await Send(fleet, new ControlRequest { Op = ControlOp.Status })).Replicas;
        Assert.Equal([0], final.Select(r => r.Replica));
    }

    [Fact]
    public async Task A_stop_interrupts_a_start_that_waits_and_the_start_rolls_back()
    {
        var fleet = Fleet(("slow", ""));
        _startsAs["slow"] = ReplicaState.Starting;
        var start = Send(fleet, Request(ControlOp.Start, "slow"));
        await WaitUntil(() => !_runners.IsEmpty);

        var stop = await Send(fleet, Request(ControlOp.Stop, "slow"));
        var started = await start;

        Assert.Null(stop.Failure);
        Assert.Equal("The start was interrupted by a stop.", started.Failure?.Message);
        Assert.All(_runners, r => Assert.True(r.Stopped));
    }

    [Fact]
    public async Task A_restart_behind_the_proxy_starts_the_new_replica_beside_the_old_and_routes_to_it_only_once_healthy()
    {
        var (fleet, port) = ProxiedFleet("api");
        Assert.Null((await Send(fleet, Request(ControlOp.Start, "api"))).Failure);
        var old = _runners.Single();
        using var oldListener = Listen(old);
        _startsAs["api"] = ReplicaState.Starting;

        var restart = Send(fleet, Request(ControlOp.Restart, "api"));
        await WaitUntil(() => _runners.Count == 2);
        var surge = _runners.Last();
        using var surgeListener = Listen(surge);

        // Beside the old one, under a number of its own, and not in the routes while it starts.
        Assert.Equal([0, 1], _runningWhenMade);
        Assert.Equal(1, surge.Spec.Replica);
        Assert.NotEqual(old.Spec.Port, surge.Spec.Port);
        Assert.Equal(oldListener, await ConnectThroughAsync(port, oldListener, surgeListener));
        Assert.False(old.Stopped);

        surge.Become(ReplicaState.Healthy);
        var restarted = await restart;

        Assert.Null(restarted.Failure);
        Assert.True(old.Stopped);
        Assert.Equal(surgeListener, await ConnectThroughAsync(port, oldListener, surgeListener));
        var ps = (await Send(fleet, new ControlRequest { Op = ControlOp.Status })).Replicas;
        Assert.Equal([(1, ReplicaState.Healthy)], ps.Select(r => (r.Replica, r.State)));
    }

    [Fact]
    public async Task A_surge_replica_that_does_not_get_healthy_is_stopped_and_the_old_one_serves_on()
    {
        var (fleet, port) = ProxiedFleet("api");
        await Send(fleet, Request(ControlOp.Start, "api"));
        var old = _runners.Single();
        using var oldListener = Listen(old);
        _startsAs["api"] = ReplicaState.Unhealthy;

        var restarted = await Send(fleet, Request(ControlOp.Restart, "api"));

        Assert.StartsWith("Service 'api' did not become healthy: it is unhealthy", restarted.Failure?.Message);
        Assert.False(old.Stopped);
        Assert.True(_runners.Last().Stopped);
        Assert.Equal(oldListener, await ConnectThroughAsync(port, oldListener));
        var ps = (await Send(fleet, new ControlRequest { Op = ControlOp.Status })).Replicas;
        Assert.Equal([(0, ReplicaState.Healthy)], ps.Select(r => (r.Replica, r.State)));
        Assert.False(File.Exists(Path.Combine(_temp.Root, ".orchestra", "surges.json")) && File.ReadAllText(Path.Combine(_temp.Root, ".orchestra", "surges.json")).Contains("api"));
    }

    [Fact]
    public async Task Numbers_left_by_a_surge_are_kept_and_a_scale_fills_the_lowest_free_and_retires_the_highest()
    {
        var (fleet, _) = ProxiedFleet("api");
        Assert.Null((await Send(fleet, Request(ControlOp.Start, "api"))).Failure);
        Assert.Null((await Send(fleet, Request(ControlOp.Restart, "api"))).Failure);
        async Task<IEnumerable<int>> Numbers() => (await Send(fleet, new ControlRequest { Op = ControlOp.Status })).Replicas.Select(r => r.Replica);
        Assert.Equal([1], await Numbers());

        // An unchanged start keeps the one that runs, whatever its number.
        await Send(fleet, Request(ControlOp.Start, "api"));
        Assert.Equal(2, _runners.Count);
        await Send(fleet, new ControlRequest { Op = ControlOp.Scale, Scales = new Dictionary<string, int> { ["api"] = 3 } });
        Assert.Equal([0, 1, 2], await Numbers());
        await Send(fleet, new ControlRequest { Op = ControlOp.Scale, Scales = new Dictionary<string, int> { ["api"] = 1 } });
        Assert.Equal([0], await Numbers());
    }

    [Fact]
    public async Task A_restart_of_a_service_without_the_proxy_stops_the_old_replica_before_the_new_one_starts()
    {
        var fleet = Fleet(("worker", ""));
        await Send(fleet, Request(ControlOp.Start, "worker"));

        Assert.Null((await Send(fleet, Request(ControlOp.Restart, "worker"))).Failure);

        // Two copies of a worker at once could both take the same work.
        Assert.Equal([0, 0], _runningWhenMade);
        Assert.Equal([0, 0], _runners.Select(r => r.Spec.Replica));
    }

    /// <summary>Listens on a replica's own port, as its process would.</summary>
    private static TcpListenerScope Listen(InMemoryReplicaRunner runner) => new(runner.Spec.Port!.Value);

    /// <summary>Connects to the public port and tells which replica's listener the proxy sent the connection to.</summary>
    private static async Task<TcpListenerScope> ConnectThroughAsync(int port, params TcpListenerScope[] replicas)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var accepts = replicas.Select(r => r.Listener.AcceptTcpClientAsync(deadline.Token).AsTask()).ToList();
        var first = await Task.WhenAny(accepts);
        (await first).Dispose();
        await deadline.CancelAsync();
        foreach (var other in accepts.Where(a => a != first))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => other);
        return replicas[accepts.IndexOf(first)];
    }

    /// <summary>A listener on 127.0.0.1 that stops with its scope.</summary>
    private sealed class TcpListenerScope : IDisposable
    {
        public TcpListenerScope(int port)
        {
            Listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            Listener.Start();
        }

        public System.Net.Sockets.TcpListener Listener { get; }

        public void Dispose() => Listener.Stop();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
            await Task.Delay(10, deadline.Token);
    }
}
