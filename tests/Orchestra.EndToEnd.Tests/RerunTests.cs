using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Rerun on change: a service whose files change is rebuilt (in a process of its own, never in the supervisor) and
/// its replicas replaced; a build error leaves the running replicas serving and is shown by ps.
/// </summary>
public sealed class RerunTests(MinimalApi api) : IClassFixture<MinimalApi>
{
    private static string Versioned(string version) => PythonHttpServer.Answering($"\"{version}\"");

    [Fact]
    public async Task A_command_service_reruns_when_a_file_its_watch_includes_changes_but_not_when_started_with_noreload()
    {
        await using var fleet = new TestFleet();
        var (watched, unwatched) = (Ports.Free(), Ports.Free());
        fleet.PythonService("watched", Versioned("v1"), $"port: {watched}\nhealth: {{ http: / }}\nwatch: {{ include: [\"*.py\"] }}\n");
        fleet.PythonService("fixed", Versioned("v1"), $"port: {unwatched}\nhealth: {{ http: / }}\nwatch: {{ include: [\"*.py\"] }}\n");
        await fleet.RunOkAsync("start", "fixed", "--noreload");
        await fleet.RunOkAsync("start", "watched");
        var fixedPid = (await fleet.ReplicaAsync("fixed")).Pid;
        var watchedPid = (await fleet.ReplicaAsync("watched")).Pid;
        Assert.Equal("v1", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{watched}/"));
        await fleet.WatchingAsync("watched");
        // Not a race to win: ps says the --noreload service is not watched at all.
        Assert.False((await fleet.ReplicaAsync("fixed")).Watching);

        fleet.Write("fixed/main.py", Versioned("v2"));
        fleet.Write("watched/main.py", Versioned("v2"));
        await Eventually.TrueAsync(async () => await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{watched}/") == "v2", "the watched service to answer v2");

        await fleet.ReplacedAsync("watched", watchedPid);
        // The two were written together, so the unwatched one would have been rerun by now.
        Assert.Equal("v1", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{unwatched}/"));
        Assert.Equal(fixedPid, (await fleet.ReplicaAsync("fixed")).Pid);
    }

    [Fact]
    public async Task A_change_to_service_yml_reruns_with_the_new_settings_and_a_port_change_says_it_needs_a_restart()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        var yaml = $"port: {port}\nhealth: {{ http: / }}\nwatch: {{ include: [\"service.yml\"] }}\n";
        fleet.PythonService("probe", PythonHttpServer.Answering("os.environ.get('PROBE', 'none')"), yaml);
        await fleet.RunOkAsync("start");
        Assert.Equal("none", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/"));
        await fleet.WatchingAsync("probe");

        fleet.Write("probe/service.yml", $"command: [\"{TestFleet.Python}\", \"-u\", \"main.py\"]\n{yaml}env: {{ PROBE: \"1\" }}\n");
        await Eventually.TrueAsync(async () => await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/") == "1", "the rerun replica to have PROBE");

        fleet.Write("probe/service.yml", $"command: [\"{TestFleet.Python}\", \"-u\", \"main.py\"]\n{yaml.Replace($"port: {port}", $"port: {Ports.Free()}")}env: {{ PROBE: \"2\" }}\n");
        await Eventually.TrueAsync(async () => (await fleet.RunOkAsync("logs", "probe")).Out.Contains("its port or proxy setting changed; that applies at the next 'dotnet orchestra restart probe'", StringComparison.Ordinal),
            "the event log to say the port change waits for a restart");
        Assert.Equal("1", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/"));
    }

    [Fact]
    public async Task A_project_is_rebuilt_on_a_source_change_and_a_compile_error_leaves_the_old_replica_serving()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        Directory.CreateDirectory(fleet.PathOf("packages"));
        await fleet.RunOkAsync("start", "--no-build");
        var first = await fleet.ReplicaAsync("api");
        Assert.Equal($"hello from api pid {first.Pid}", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/hello"));

        // Two errors, each shown on a line of its own by ps and as an item of ps --json's buildErrors.
        await fleet.WatchingAsync("api");
        fleet.Write("api/Program.cs", MinimalApi.Program.Replace("app.Run();", "app.Run()").Replace("() => \"ok\");", "() => \"ok\")"));
        var broken = await Eventually.ValueAsync(async () => await fleet.ReplicaAsync("api") is { BuildError: not null } r ? r : null, "ps to show the build error");
        Assert.Collection(broken.BuildErrors,
            e => Assert.Matches(@"^/.*Program\.cs\(3,\d+\): error CS1002: ; expected", e),
            e => Assert.Matches(@"^/.*Program\.cs\(9,\d+\): error CS1002: ; expected", e));
        // The older single field stays for the scripts that read it: the same errors, a line each.
        Assert.Equal(string.Join('\n', broken.BuildErrors), broken.BuildError);
        Assert.Equal(first.Pid, broken.Pid);
        Assert.Equal($"hello from api pid {first.Pid}", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/hello"));
        var ps = (await fleet.RunOkAsync("ps")).Out;
        Assert.Matches(@"(?m)^api: the rerun after a change did not build, so it runs the previous build:$", ps);
        Assert.Matches(@"(?m)^  /\S*Program\.cs\(3,\d+\): error CS1002: ; expected$", ps);
        Assert.Matches(@"(?m)^  /\S*Program\.cs\(9,\d+\): error CS1002: ; expected$", ps);
        // `logs` merges Orchestra's own lines about the service with its output, errors marked as stderr.
        var logs = (await fleet.RunOkAsync("logs", "api")).Out;
        Assert.Matches(@"(?m)^api\.orchestra \| Program\.cs changed: rerunning$", logs);
        Assert.Matches(@"(?m)^api\.orchestra ! the build failed, so the previous build runs on:$", logs);
        Assert.Matches(@"(?m)^api\.orchestra ! .*Program\.cs\(\d+,\d+\): error CS1002", logs);

        fleet.Write("api/Program.cs", MinimalApi.Program.Replace("$\"hello from {who}", "$\"hi again from {who}"));
        var rerun = await Eventually.ValueAsync(async () => await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/hello") is { } answer && answer.StartsWith("hi again", StringComparison.Ordinal) ? answer : null,
            "the rebuilt API to answer");
        var second = await fleet.ReplacedAsync("api", first.Pid);
        Assert.Equal($"hi again from api pid {second.Pid}", rerun);
        Assert.NotEqual(first.Pid, second.Pid);
        Assert.Null(second.BuildError);
        Assert.Empty(second.BuildErrors);
        Assert.False(Procs.IsLive(first.Pid!.Value), "the replica of the previous build still runs");
    }
}
