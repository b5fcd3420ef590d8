using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// SPEC §5, ports: Orchestra listens on a service's port and forwards to its healthy replicas, each on a port of its
/// own; `scale` and `start --scale` change how many there are; the port stays reachable across restarts and a
/// supervisor crash.
/// </summary>
public sealed class ProxyAndScaleTests
{
    /// <summary>Answers every GET with which replica it is and the port it listens on.</summary>
    private static readonly string WhoAmI =
        PythonHttpServer.Answering("f\"replica {os.environ['ORCHESTRA_REPLICA']} pid {os.getpid()} port {os.environ['PORT']}\"");

    /// <summary>The distinct answers of <paramref name="requests"/> GETs on a new connection each.</summary>
    private static async Task<HashSet<string>> AnswersAsync(int port, int requests)
    {
        var answers = new HashSet<string>();
        for (var i = 0; i < requests; i++)
            answers.Add(await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/"));
        return answers;
    }

    private static string Answer(PsReplica replica) => $"replica {replica.Replica} pid {replica.Pid} port {replica.Port}";

    [Fact]
    public async Task Env_shows_the_port_a_running_replica_behind_the_proxy_got_and_the_public_address_beside_it()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        fleet.PythonService("web", WhoAmI, $"port: {port}\nhealth: {{ http: / }}\n");
        await fleet.RunOkAsync("start");
        var replica = await fleet.ReplicaAsync("web");
        // The replica itself says which PORT it was given: env must show that one, not the proxy's.
        Assert.Equal(Answer(replica), await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/"));
        Assert.NotEqual(port, replica.Port);

        var table = await fleet.RunOkAsync("env", "web");
        Assert.Matches($@"(?m)^\s*PORT\s+{replica.Port}\s+orchestra\s*$", table.Out);
        Assert.Matches($@"(?m)^\s*ASPNETCORE_URLS\s+http://127\.0\.0\.1:{replica.Port}\s+orchestra\s*$", table.Out);
        Assert.Contains($"public: http://127.0.0.1:{port}, the port proxy in front of the replicas; PORT is the own port of replica 0 (pid {replica.Pid}), which runs now.", table.Out);

        var export = await fleet.RunOkAsync("env", "web", "--export");
        Assert.Contains($"export PORT={replica.Port}\n", export.Out);
        Assert.Contains($"export ASPNETCORE_URLS=http://127.0.0.1:{replica.Port}\n", export.Out);
        Assert.Contains($"# public: http://127.0.0.1:{port},", export.Error);
    }

    [Fact]
    public async Task The_port_reaches_every_healthy_replica_and_scale_changes_how_many_there_are()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        fleet.PythonService("web", WhoAmI, $"port: {port}\nscale: 2\nhealth: {{ http: / }}\n");

        var start = await fleet.RunOkAsync("start");
        Assert.Matches(@"web\s+\d+\s+" + port + @"→\d+\s+healthy", start.Out);
        var two = await fleet.PsAsync();
        Assert.Equal([0, 1], two.Select(r => r.Replica));
        Assert.All(two, r => Assert.Equal(port, r.ServicePort));
        Assert.All(two, r => Assert.NotEqual(port, r.Port));
        Assert.NotEqual(two[0].Port, two[1].Port);
        Assert.Equal(two.Select(Answer).ToHashSet(), await AnswersAsync(port, 6));

        var up = await fleet.RunOkAsync("scale", "web=3");
        Assert.Matches(@"web\.2\s+\d+\s+" + port + @"→\d+\s+healthy", up.Out);
        var three = await fleet.PsAsync();
        Assert.Equal([0, 1, 2], three.Select(r => r.Replica));
        Assert.Equal(two.Select(r => r.Pid), three.Take(2).Select(r => r.Pid));
        Assert.Equal(three.Select(Answer).ToHashSet(), await AnswersAsync(port, 9));

        await fleet.RunOkAsync("scale", "web=1");
        var one = Assert.Single(await fleet.PsAsync());
        Assert.Equal(two[0].Pid, one.Pid);
        Assert.False(Procs.IsLive(three[2].Pid!.Value), "replica 2 survived scaling down");
        Assert.False(Procs.IsLive(three[1].Pid!.Value), "replica 1 survived scaling down");
        Assert.Equal([Answer(one)], await AnswersAsync(port, 3));

        // The supervisor dies; the next command adopts the replica and listens on the port again.
        var supervisor = fleet.SupervisorPid!.Value;
        Procs.Signal(supervisor, 9);
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to die");
        Assert.Equal(one.Pid, Assert.Single(await fleet.PsAsync()).Pid);
        Assert.Equal([Answer(one)], await AnswersAsync(port, 2));

        await fleet.RunOkAsync("stop");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
        using var after = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => after.GetStringAsync($"http://127.0.0.1:{port}/"));
    }

    [Fact]
    public async Task Start_scale_overrides_the_file_and_a_restart_replaces_replicas_one_at_a_time_with_no_request_refused()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        fleet.PythonService("web", WhoAmI, $"port: {port}\nhealth: {{ http: / }}\n");

        await fleet.RunOkAsync("start", "--scale", "web=2");
        var before = await fleet.PsAsync();
        Assert.Equal(2, before.Count);

        // Requests go on while the replicas are replaced: none is refused (AnswersAsync throws if one is); those
        // sent between the old replicas' end and the new ones' health wait in the proxy.
        var restart = fleet.RunOkAsync("restart", "web");
        var seen = new HashSet<string>();
        while (!restart.IsCompleted)
            seen.UnionWith(await AnswersAsync(port, 1));
        await restart;
        var after = await fleet.PsAsync();
        Assert.Equal(2, after.Count);
        Assert.Empty(after.Select(r => r.Pid).Intersect(before.Select(r => r.Pid)));
        Assert.Equal(after.Select(Answer).ToHashSet(), await AnswersAsync(port, 6));
        Assert.NotEmpty(seen);
        Assert.Subset(before.Concat(after).Select(Answer).ToHashSet(), seen);
        // Rolling: the second replacement started only once the first was healthy (each under the number free then).
        var (first, second) = (after.MinBy(r => r.StartedAt)!, after.MaxBy(r => r.StartedAt)!);
        Assert.True(second.StartedAt >= first.StartedAt + first.TimeToHealthy, $"the second replacement started before the first was healthy: {first} / {second}");
    }

    [Fact]
    public async Task A_restart_into_a_broken_version_stops_at_the_first_replacement_and_the_old_replicas_keep_serving()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        fleet.PythonService("web", WhoAmI, $"port: {port}\nscale: 2\nhealth: {{ http: /, timeout: 5s }}\n");
        await fleet.RunOkAsync("start");
        var before = await fleet.PsAsync();

        fleet.Write("web/main.py", "import sys\nprint('broken build')\nsys.exit(1)\n");
        var restart = await fleet.RunAsync("restart", "web");

        Assert.Equal(1, restart.ExitCode);
        Assert.Contains("Service 'web' did not become healthy", restart.Error);
        // The broken surge replica was started beside them and stopped: ps no longer shows it.
        var after = await fleet.PsAsync();
        Assert.Equal(before.Select(r => (r.Pid, "healthy")), after.Select(r => (r.Pid, r.State)));
        Assert.Equal(before.Select(Answer).ToHashSet(), await AnswersAsync(port, 6));
    }

    [Fact]
    public async Task A_scale_down_says_so_a_later_start_with_fewer_shows_only_those_and_adoption_keeps_the_time_to_healthy()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        fleet.PythonService("web", WhoAmI, $"port: {port}\nhealth: {{ http: / }}\n");
        await fleet.RunOkAsync("start", "--scale", "web=3");

        var down = await fleet.RunOkAsync("scale", "web=1");
        Assert.Contains("web: scaled down to 1", down.Error);
        Assert.DoesNotContain("starting", down.Error);
        Assert.DoesNotContain("healthy", down.Error);

        await fleet.RunOkAsync("scale", "web=3");
        await fleet.RunOkAsync("stop", "web");
        await fleet.RunOkAsync("start", "web");
        var one = Assert.Single(await fleet.PsAsync("web"));
        Assert.Equal("healthy", one.State);

        var supervisor = fleet.SupervisorPid!.Value;
        Procs.Signal(supervisor, Procs.SigKill);
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to die");
        var adopted = await Eventually.ValueAsync(async () => await fleet.ReplicaAsync("web") is { State: "healthy" } r ? r : null, "the adopted replica to be healthy");
        Assert.Equal(one.Pid, adopted.Pid);
        Assert.Equal(one.TimeToHealthy, adopted.TimeToHealthy);
    }

    [Fact]
    public async Task Bad_scale_requests_are_refused_with_one_sentence()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("web", WhoAmI, $"port: {Ports.Free()}\nproxy: false\n");

        var bare = await fleet.RunAsync("scale", "3");
        Assert.Equal(2, bare.ExitCode);
        Assert.Contains("'3' does not say which service: write svc=N.", bare.Error);

        var direct = await fleet.RunAsync("start", "--scale", "web=2");
        Assert.Equal(2, direct.ExitCode);
        Assert.Contains("service 'web' has proxy: false, so it runs one replica at most.", direct.Error);

        var unknown = await fleet.RunAsync("scale", "wbe=2");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Did you mean 'web'?", unknown.Error);

        var idle = await fleet.RunAsync("scale", "web=1");
        Assert.Equal(1, idle.ExitCode);
        Assert.Contains("Nothing runs in this workspace; start the fleet first.", idle.Error);
    }
}
