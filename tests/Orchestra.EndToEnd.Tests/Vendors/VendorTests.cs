using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;
using Orchestra.Testing.Docker;

namespace Orchestra.EndToEnd.Tests.Vendors;

/// <summary>Vendors in a real Docker engine, with the test images of tests/images/build.sh.</summary>
[Collection(VendorCollection.Name)]
public sealed partial class VendorTests(VendorApi api) : IAsyncLifetime
{
    private const string Idle = "import time\nprint('idle up', flush=True)\nwhile True:\n    time.sleep(1)\n";

    private readonly TestFleet _fleet = new("vendors");
    private readonly string _name = $"vt{Guid.NewGuid():N}"[..12];
    private DockerCleanup? _cleanup;

    private string Container(string vendor) => $"orchestra-{_name}-{vendor}";

    private static string Postgres(string more = "") => $$"""
          postgres:
            image: {{TestImages.Postgres}}
            ports: ["5432"]
            env: { POSTGRES_PASSWORD: dev }
            volumes: ["pgdata:/var/lib/postgresql/data"]
            health: { command: [pg_isready, -h, 127.0.0.1, -U, postgres], interval: 200ms }
            connection_string: "Host=${host};Port=${port};Username=postgres;Password=dev;Pooling=false"
        {{more}}
        """;

    private static string Redis(string more = "") => $$"""
          redis:
            image: {{TestImages.Redis}}
            ports: ["6379"]
            health: { command: [redis-cli, ping], interval: 200ms }
            connection_string: "${host}:${port}"
        {{more}}
        """;

    public async Task InitializeAsync()
    {
        await DockerRequirement.EnsureAsync(TestImages.Redis, TestImages.Postgres);
        _cleanup = new DockerCleanup(_fleet.Root);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        if (_cleanup is not null)
            await _cleanup.DisposeAsync();
    }

    private void Workspace(string vendors) => _fleet.Write("orchestra.yml", $"name: {_name}\nvendors:\n{vendors}");

    private static async Task<IReadOnlyList<string>> ContainersOf(string workspace) =>
        (await DockerCli.RunAsync("ps", "-a", "--filter", $"label=orchestra.workspace={workspace}", "--format", "{{.Names}}"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [SkippableFact]
    public async Task Start_brings_up_postgres_and_redis_first_and_the_api_reaches_both_through_its_configuration()
    {
        Workspace(Postgres() + Redis());
        var port = Ports.Free();
        api.CopyInto(_fleet, $"port: {port}\nhealth: {{ http: /health }}\ndepends_on: [postgres, redis]\n");

        var start = await _fleet.RunAsync("start", "--no-build");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("db 1", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/db"));
        Assert.Equal("cache hello", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/cache"));
        var ps = await _fleet.PsAsync();
        Assert.True(ps.Select(r => r.Service).Order().SequenceEqual(["api", "postgres", "redis"]), string.Join(", ", ps));
        Assert.All(ps, r => Assert.Equal("healthy", r.State));
        // The vendors were healthy before the api started.
        var lines = start.Error.Split('\n');
        Assert.True(Array.FindIndex(lines, l => l.StartsWith("api: starting")) > Array.FindLastIndex(lines, l => l.StartsWith("redis: starting") || l.StartsWith("postgres: starting")), start.Error);

        // The vendors' output is in the logs beside the services', prefixed with the vendor's name, in time order.
        var logs = await _fleet.RunOkAsync("logs", "--no-color", "-t");
        Assert.Contains(logs.Out.Split('\n'), l => LogLine().Match(l) is { Success: true } m && m.Groups["name"].Value == "postgres");
        Assert.Contains(logs.Out.Split('\n'), l => LogLine().Match(l) is { Success: true } m && m.Groups["name"].Value == "redis" && l.Contains("Ready to accept connections"));
        Assert.Contains(logs.Out.Split('\n'), l => LogLine().Match(l) is { Success: true } m && m.Groups["name"].Value == "api.0");
        var times = logs.Out.Split('\n').Select(l => LogLine().Match(l)).Where(m => m.Success).Select(m => TimeSpan.Parse(m.Groups["time"].Value)).ToList();
        Assert.Equal(times.Order(), times);
    }

    [SkippableFact]
    public async Task With_docker_the_api_runs_in_a_container_and_reaches_postgres_and_redis_by_their_names_and_container_ports()
    {
        await DockerRequirement.EnsureAsync(TestImages.AspNet);
        Workspace(Postgres() + Redis());
        var port = Ports.Free();
        api.CopyInto(_fleet, $"port: {port}\nhealth: {{ http: /health }}\ndepends_on: [postgres, redis]\ndocker: {{ image: {TestImages.AspNet} }}\n");

        var start = await _fleet.RunAsync("start", "--docker", "--no-build");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("db 1", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/db"));
        Assert.Equal("cache hello", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/cache"));
        var environment = (await DockerCli.RunAsync("inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", $"orchestra-{_name}-api-0")).Split('\n');
        Assert.Contains("ConnectionStrings__postgres=Host=postgres;Port=5432;Username=postgres;Password=dev;Pooling=false", environment);
        Assert.Contains("ConnectionStrings__redis=redis:6379", environment);
        // Stopping the services leaves the vendors, and the network they are on.
        await _fleet.RunOkAsync("stop");
        Assert.Equal([Container("postgres"), Container("redis")], (await ContainersOf(_fleet.Root)).Order());
    }

    [GeneratedRegex(@"^(?<time>\d\d:\d\d:\d\d\.\d{3}) (?<name>\S+)\s+[|!] ")]
    private static partial Regex LogLine();

    [SkippableFact]
    public async Task A_second_up_reuses_the_unchanged_container_and_a_changed_configuration_makes_it_again()
    {
        Workspace(Redis());

        await _fleet.RunOkAsync("vendors", "up");
        var first = await DockerCli.RunAsync("inspect", "-f", "{{.Id}}", Container("redis"));
        await _fleet.RunOkAsync("vendors", "up");
        var second = await DockerCli.RunAsync("inspect", "-f", "{{.Id}}", Container("redis"));
        Workspace(Redis("    env: { EXTRA: '1' }\n"));
        await _fleet.RunOkAsync("vendors", "up");
        var third = await DockerCli.RunAsync("inspect", "-f", "{{.Id}}", Container("redis"));

        Assert.Equal(first, second);
        Assert.NotEqual(second, third);
        // Published on the loopback interface only.
        Assert.Matches(@"^6379/tcp -> 127\.0\.0\.1:\d+$", (await DockerCli.RunAsync("port", Container("redis"))).Trim());
        Assert.Equal([Container("redis")], await ContainersOf(_fleet.Root));

        // With its last vendor gone, a supervisor that runs no service has nothing to look after, and ends.
        await _fleet.RunOkAsync("vendors", "down");
        Assert.Empty(await ContainersOf(_fleet.Root));
        await Eventually.TrueAsync(() => _fleet.SupervisorPid is null, "the idle supervisor to end");
    }

    [SkippableFact]
    public async Task Postgres_data_survives_down_and_up_in_its_named_volume_and_down_volumes_removes_it()
    {
        Workspace(Postgres());
        async Task<string> Psql(string sql) => await DockerCli.RunAsync("exec", Container("postgres"), "psql", "-U", "postgres", "-tAc", sql);

        await _fleet.RunOkAsync("vendors", "up");
        await Psql("create table kept (v text); insert into kept values ('survives')");
        await _fleet.RunOkAsync("vendors", "down");
        Assert.Empty(await ContainersOf(_fleet.Root));
        await _fleet.RunOkAsync("vendors", "up");
        Assert.Equal("survives", (await Psql("select v from kept")).Trim());

        await _fleet.RunOkAsync("vendors", "down", "--volumes");
        Assert.Empty((await DockerCli.RunAsync("volume", "ls", "-q", "--filter", $"label=orchestra.workspace={_fleet.Root}")).Trim());
        await _fleet.RunOkAsync("vendors", "up");
        Assert.Equal("0", (await Psql("select count(*) from pg_tables where tablename = 'kept'")).Trim());
    }

    [SkippableFact]
    public async Task A_container_with_the_vendors_name_but_not_the_workspaces_label_is_named_and_left_alone()
    {
        Workspace(Redis());
        var foreign = (await DockerCli.RunAsync("create", "--name", Container("redis"), TestImages.Redis)).Trim();
        try
        {
            var up = await _fleet.RunAsync("vendors", "up");

            Assert.Equal(1, up.ExitCode);
            Assert.Equal($"error: A container named '{Container("redis")}' ({foreign[..12]}) exists and is not this workspace's; Orchestra leaves it alone: remove or rename it, or rename the vendor.", up.Error.Trim().Split('\n')[^1]);
            Assert.Equal(foreign, (await DockerCli.RunAsync("inspect", "-f", "{{.Id}}", Container("redis"))).Trim());
            Assert.Equal("created", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Status}}", Container("redis"))).Trim());
        }
        finally
        {
            await DockerCli.TryRunAsync("rm", "-f", foreign);
        }
    }

    [SkippableFact]
    public async Task After_a_kill_9_of_the_supervisor_stop_vendors_leaves_no_container_of_the_workspace()
    {
        Workspace(Redis() + Postgres());
        _fleet.PythonService("worker", Idle, "depends_on: [redis]\nhealth: { log: 'idle up' }\n");
        await _fleet.RunOkAsync("start");
        await _fleet.RunOkAsync("vendors", "up", "postgres");
        Assert.Equal(2, (await ContainersOf(_fleet.Root)).Count);

        Procs.Signal(_fleet.SupervisorPid!.Value, Procs.SigKill);
        var stop = await _fleet.RunAsync("stop", "--vendors");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.True((await ContainersOf(_fleet.Root)).Count == 0, stop.ToString());
        Assert.True(Procs.LiveInWorkspace(_fleet.Root).Count == 0, string.Join("; ", Procs.LiveInWorkspace(_fleet.Root).Select(Procs.CommandLine)) + stop);
    }

    [SkippableFact]
    public async Task A_container_that_exits_is_restarted_by_the_restart_policy()
    {
        Workspace(Redis());
        await _fleet.RunOkAsync("vendors", "up");

        await DockerCli.RunAsync("kill", Container("redis"));

        var restarted = await Eventually.ValueAsync(async () =>
            (await _fleet.PsAsync()).SingleOrDefault(r => r is { Service: "redis", State: "healthy", Restarts: 1 }), "redis to be restarted and healthy");
        Assert.Equal("true", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}}", Container("redis"))).Trim());
        Assert.Contains(await _fleet.RunOkAsync("vendors", "ps") is var ps ? ps.Out.Split('\n') : [], l => l.Contains(Container("redis")) && l.Contains("healthy"));
        Assert.NotNull(restarted);
    }

    [SkippableFact]
    public async Task A_vendor_that_never_gets_healthy_fails_up_with_its_last_lines_and_is_stopped()
    {
        Workspace(Redis().Replace("health: { command: [redis-cli, ping], interval: 200ms }", "health: { command: [redis-cli, -p, '1', ping], interval: 200ms, timeout: 2s }"));

        var up = await _fleet.RunAsync("vendors", "up");

        Assert.Equal(1, up.ExitCode);
        Assert.True(up.Error.Contains("error: Vendor 'redis' did not become healthy: it is unhealthy"), up.Error);
        Assert.Contains("Ready to accept connections", up.Error);
        Assert.Equal("false", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}}", Container("redis"))).Trim());
    }

    [SkippableFact]
    public async Task Without_an_engine_vendors_fail_in_one_sentence_naming_the_socket_and_services_still_start()
    {
        Workspace(Redis());
        _fleet.PythonService("worker", Idle, "health: { log: 'idle up' }\n");
        _fleet.Shell["DOCKER_HOST"] = $"unix://{_fleet.Root}/nothing.sock";

        var up = await _fleet.RunAsync("vendors", "up");
        var start = await _fleet.RunAsync("start", "--no-vendors");

        Assert.Equal(1, up.ExitCode);
        Assert.Equal($"error: No Docker engine answers at unix://{_fleet.Root}/nothing.sock (no such socket); start Docker, or point DOCKER_HOST at a running engine.", up.Error.Trim().Split('\n')[^1]);
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("healthy", (await _fleet.ReplicaAsync("worker")).State);

        // A workspace without vendors never asks for an engine.
        await _fleet.RunOkAsync("stop");
        _fleet.Write("orchestra.yml", $"name: {_name}\n");
        await _fleet.RunOkAsync("start");
        Assert.Equal("healthy", (await _fleet.ReplicaAsync("worker")).State);
    }

    [SkippableFact]
    public async Task A_host_port_held_by_another_process_fails_up_naming_the_process_and_an_image_that_cannot_be_pulled_says_so()
    {
        var port = Ports.Free();
        var script = _fleet.Write("holder.py", $"import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',{port}))\ns.listen()\ntime.sleep(600)\n");
        var holder = _fleet.StartOutside(TestFleet.Python, [script], _fleet.Root);
        await Eventually.TrueAsync(() => PortsInUse().Contains(port), "the port to be held");
        Workspace(Redis().Replace("ports: [\"6379\"]", $"ports: [\"{port}:6379\"]"));

        var held = await _fleet.RunAsync("vendors", "up");
        Workspace($"  ghost:\n    image: orchestra-test/not-built:1\n");
        var missing = await _fleet.RunAsync("vendors", "up");

        Assert.Equal(1, held.ExitCode);
        Assert.Equal($"error: Container '{Container("redis")}' cannot publish 127.0.0.1:{port}: it is held by pid {holder.Id} {TestFleet.Python} {script}; stop it or give vendor 'redis' another port.", held.Error.Trim().Split('\n')[^1]);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: The image 'orchestra-test/not-built:1' is not on the Docker engine and cannot be pulled (", missing.Error.Trim().Split('\n')[^1]);
        Assert.Empty(await ContainersOf(_fleet.Root));
    }

    [SkippableFact]
    public async Task Stop_leaves_the_vendors_running_and_ps_still_shows_them()
    {
        Workspace(Redis());
        _fleet.PythonService("worker", Idle, "depends_on: [redis]\nhealth: { log: 'idle up' }\n");
        await _fleet.RunOkAsync("start");

        await _fleet.RunOkAsync("stop");
        var ps = await _fleet.RunOkAsync("ps");

        Assert.Null(_fleet.SupervisorPid);
        Assert.Equal("true", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}}", Container("redis"))).Trim());
        Assert.Contains(ps.Out.Split('\n'), l => l.Contains("redis") && l.Contains("not supervised") && l.Contains(Container("redis")));
    }

    [SkippableFact]
    public async Task A_missing_image_is_pulled_with_progress()
    {
        // A registry of our own on loopback (Debian's docker-registry; nothing else is reachable here), holding a copy
        // of the redis test image that the engine does not have.
        const string Registry = "/usr/bin/docker-registry";
        if (!File.Exists(Registry))
            throw DockerRequirement.Outcome($"{Registry} is missing: apt-get install docker-registry.", Environment.GetEnvironmentVariable);
        var port = Ports.Free();
        var config = _fleet.Write("registry.yml", $"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {_fleet.PathOf("registry")}\nhttp:\n  addr: 127.0.0.1:{port}\n");
        _fleet.StartOutside(Registry, ["serve", config], _fleet.Root);
        await Eventually.TrueAsync(async () => await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/v2/") is not null, "the registry to answer");
        var image = $"127.0.0.1:{port}/pulled/redis:{_name}";
        await DockerCli.RunAsync("tag", TestImages.Redis, image);
        await DockerCli.RunAsync("push", image);
        await DockerCli.RunAsync("rmi", image);
        Workspace(Redis().Replace($"image: {TestImages.Redis}", $"image: {image}"));
        try
        {
            var up = await _fleet.RunAsync("vendors", "up");

            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Contains($"redis: pulling {image}\n", up.Error);
            // The engine's own steps, as `docker pull` shows them.
            Assert.Contains($"redis: {image}: Status: Downloaded newer image for {image}\n", up.Error);
            Assert.Equal("true", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}}", Container("redis"))).Trim());
        }
        finally
        {
            await _fleet.RunAsync("vendors", "down");
            await DockerCli.TryRunAsync("rmi", image);
        }
    }

    private static HashSet<int> PortsInUse() =>
        System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Select(e => e.Port).ToHashSet();
}
