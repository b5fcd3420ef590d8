using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, point 4 and the fault-injection acceptance: faults at the worst moment. After each, nothing is left in
/// /proc that should not be, and no command reports success while the fleet it controls disagrees.
/// </summary>
[Collection(MinimalApiCollection.Name)]
public sealed class FaultInjectionTests(MinimalApi api)
{
    private static async Task<string?> GetAsync(string url)
    {
        try
        {
            return await FreshHttp.GetStringAsync(url);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task A_supervisor_killed_during_a_reruns_build_leaves_the_next_start_serving_the_new_build()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        Directory.CreateDirectory(fleet.PathOf("packages"));
        await fleet.RunOkAsync("start", "--no-build");
        var supervisor = fleet.SupervisorPid!.Value;

        fleet.Write("api/Program.cs", MinimalApi.Program.Replace("$\"hello from {who}", "$\"rebuilt from {who}"));
        var prepare = await Eventually.ValueAsync(() => Procs.LiveWithCommandLine($"__prepare --config {fleet.PathOf("orchestra.yml")}").Cast<int?>().FirstOrDefault() is { } pid ? (object)pid : null,
            "the rerun's build to begin");
        Procs.Signal(supervisor, Procs.SigKill);
        // The build goes on without the supervisor and records its result: `build` has nothing left to do.
        await Eventually.TrueAsync(() => !Procs.IsLive((int)prepare), "the orphaned build to finish", TimeSpan.FromMinutes(3));
        Assert.StartsWith("hello from api", await GetAsync($"http://127.0.0.1:{ReplicaPort(fleet)}/hello"));

        await fleet.RunOkAsync("start");

        Assert.StartsWith("rebuilt from api", await GetAsync($"http://127.0.0.1:{port}/hello"));
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

        Assert.Equal([supervisor], Procs.LiveWithCommandLine($"__supervise --config {fleet.PathOf("orchestra.yml")}"));
        Assert.Equal(replicas.Select(r => (r.Pid, "healthy")), ps.Select(r => (r.Pid, r.State)));
        Assert.Equal("up", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/"));
        await fleet.RunOkAsync("stop");
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to end");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
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

    /// <summary>The port the replica itself listens on, from the state file: the public port closes with the supervisor.</summary>
    private static int ReplicaPort(TestFleet fleet)
    {
        var state = File.ReadAllText(Path.Combine(fleet.StateDirectory, "state.json"));
        var match = System.Text.RegularExpressions.Regex.Match(state, "\"port\": (\\d+)");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
