using Orchestra.EndToEnd.Tests.Support;
using Orchestra.Testing.Docker;

namespace Orchestra.EndToEnd.Tests.Vendors;

/// <summary>Vendors in a real Docker engine, with the test images of tests/images/build.sh.</summary>
[StartsEarly]
public sealed class VendorTests : IAsyncLifetime
{
    private static readonly string Idle = PythonIdle.Printing("idle up");

    private readonly VendorWorkspace _vendors = new();

    private TestFleet Fleet => _vendors.Fleet;

    public Task InitializeAsync() => _vendors.InitializeAsync();

    public Task DisposeAsync() => _vendors.DisposeAsync();

    [SkippableFact]
    public async Task A_second_up_reuses_the_unchanged_container_and_a_changed_configuration_makes_it_again()
    {
        _vendors.Vendors(VendorWorkspace.Redis());

        await Fleet.RunOkAsync("vendors", "up");
        var first = await DockerCli.RunAsync("inspect", "-f", "{{.Id}}", _vendors.Container("redis"));
        await Fleet.RunOkAsync("vendors", "up");
        var second = await DockerCli.RunAsync("inspect", "-f", "{{.Id}}", _vendors.Container("redis"));
        _vendors.Vendors(VendorWorkspace.Redis("    env: { EXTRA: '1' }\n"));
        await Fleet.RunOkAsync("vendors", "up");
        var third = await DockerCli.RunAsync("inspect", "-f", "{{.Id}}", _vendors.Container("redis"));

        Assert.Equal(first, second);
        Assert.NotEqual(second, third);
        // The container was replaced, not restarted: no runner saw it die and started it again (the old one once did,
        // and removed the new container under their shared name).
        Assert.DoesNotContain("restarting", (await Fleet.RunOkAsync("vendors", "logs", "redis")).Out);
        // Published on the loopback interface only.
        Assert.Matches(@"^6379/tcp -> 127\.0\.0\.1:\d+$", (await DockerCli.RunAsync("port", _vendors.Container("redis"))).Trim());
        Assert.Equal([_vendors.Container("redis")], await _vendors.ContainersAsync());

        // With its last vendor gone, a supervisor that runs no service has nothing to look after, and ends.
        await Fleet.RunOkAsync("vendors", "down");
        Assert.Empty(await _vendors.ContainersAsync());
        await Eventually.TrueAsync(() => Fleet.SupervisorPid is null, "the idle supervisor to end");
    }

    [SkippableFact]
    public async Task Postgres_data_survives_down_and_up_in_its_named_volume_and_down_volumes_removes_it()
    {
        _vendors.Vendors(VendorWorkspace.Postgres());
        async Task<string> Psql(string sql) => await DockerCli.RunAsync("exec", _vendors.Container("postgres"), "psql", "-U", "postgres", "-tAc", sql);

        await Fleet.RunOkAsync("vendors", "up");
        await Psql("create table kept (v text); insert into kept values ('survives')");
        await Fleet.RunOkAsync("vendors", "down");
        Assert.Empty(await _vendors.ContainersAsync());
        await Fleet.RunOkAsync("vendors", "up");
        Assert.Equal("survives", (await Psql("select v from kept")).Trim());

        await Fleet.RunOkAsync("vendors", "down", "--volumes");
        Assert.Empty((await DockerCli.RunAsync("volume", "ls", "-q", "--filter", $"label=orchestra.workspace={Fleet.Root}")).Trim());
        await Fleet.RunOkAsync("vendors", "up");
        Assert.Equal("0", (await Psql("select count(*) from pg_tables where tablename = 'kept'")).Trim());
    }

    [SkippableFact]
    public async Task A_container_with_the_vendors_name_but_not_the_workspaces_label_is_named_and_left_alone()
    {
        _vendors.Vendors(VendorWorkspace.Redis());
        var foreign = (await DockerCli.RunAsync("create", "--name", _vendors.Container("redis"), TestImages.Redis)).Trim();
        try
        {
            var up = await Fleet.RunAsync("vendors", "up");

            Assert.Equal(1, up.ExitCode);
            Assert.Equal($"error: A container named '{_vendors.Container("redis")}' ({foreign[..12]}) exists and is not this workspace's; Orchestra leaves it alone: remove or rename it, or rename the vendor.", up.Error.Trim().Split('\n')[^1]);
            Assert.Equal(foreign, (await DockerCli.RunAsync("inspect", "-f", "{{.Id}}", _vendors.Container("redis"))).Trim());
            Assert.Equal("created", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Status}}", _vendors.Container("redis"))).Trim());
        }
        finally
        {
            await DockerCli.TryRunAsync("rm", "-f", foreign);
        }
    }

    [SkippableFact]
    public async Task After_a_kill_9_of_the_supervisor_stop_vendors_leaves_no_container_of_the_workspace()
    {
        _vendors.Vendors(VendorWorkspace.Redis() + VendorWorkspace.Postgres());
        Fleet.PythonService("worker", Idle, "depends_on: [redis]\nhealth: { log: 'idle up' }\n");
        await Fleet.RunOkAsync("start");
        await Fleet.RunOkAsync("vendors", "up", "postgres");
        Assert.Equal(2, (await _vendors.ContainersAsync()).Count);

        Procs.Signal(Fleet.SupervisorPid!.Value, Procs.SigKill);
        var stop = await Fleet.RunAsync("stop", "--vendors");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.True((await _vendors.ContainersAsync()).Count == 0, stop.ToString());
        Assert.True(Procs.LiveInWorkspace(Fleet.Root).Count == 0, string.Join("; ", Procs.LiveInWorkspace(Fleet.Root).Select(Procs.CommandLine)) + stop);
    }

    [SkippableFact]
    public async Task A_container_that_exits_is_restarted_by_the_restart_policy()
    {
        _vendors.Vendors(VendorWorkspace.Redis());
        await Fleet.RunOkAsync("vendors", "up");

        await DockerCli.RunAsync("kill", _vendors.Container("redis"));

        var restarted = await Eventually.ValueAsync(async () =>
            (await Fleet.PsAsync()).SingleOrDefault(r => r is { Service: "redis", State: "healthy", Restarts: 1 }), "redis to be restarted and healthy");
        Assert.Equal("true", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}}", _vendors.Container("redis"))).Trim());
        Assert.Contains(await Fleet.RunOkAsync("vendors", "ps") is var ps ? ps.Out.Split('\n') : [], l => l.Contains(_vendors.Container("redis")) && l.Contains("healthy"));
        Assert.NotNull(restarted);
    }

    [SkippableFact]
    public async Task A_vendor_that_never_gets_healthy_fails_up_with_its_last_lines_and_is_stopped()
    {
        _vendors.Vendors(VendorWorkspace.Redis().Replace("health: { command: [redis-cli, ping], interval: 200ms }", "health: { command: [redis-cli, -p, '1', ping], interval: 200ms, timeout: 2s }"));

        var up = await Fleet.RunAsync("vendors", "up");

        Assert.Equal(1, up.ExitCode);
        Assert.True(up.Error.Contains("error: Vendor 'redis' did not become healthy: it is unhealthy"), up.Error);
        Assert.Contains("Ready to accept connections", up.Error);
        Assert.Equal("false", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}}", _vendors.Container("redis"))).Trim());
    }

    [SkippableFact]
    public async Task Without_an_engine_vendors_fail_in_one_sentence_naming_the_socket_and_services_still_start()
    {
        _vendors.Vendors(VendorWorkspace.Redis());
        Fleet.PythonService("worker", Idle, "health: { log: 'idle up' }\n");
        Fleet.Shell["DOCKER_HOST"] = $"unix://{Fleet.Root}/nothing.sock";

        var up = await Fleet.RunAsync("vendors", "up");
        var start = await Fleet.RunAsync("start", "--no-vendors");

        Assert.Equal(1, up.ExitCode);
        Assert.Equal($"error: No Docker engine answers at unix://{Fleet.Root}/nothing.sock (no such socket); start Docker, or point DOCKER_HOST at a running engine.", up.Error.Trim().Split('\n')[^1]);
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("healthy", (await Fleet.ReplicaAsync("worker")).State);

        // A workspace without vendors never asks for an engine.
        await Fleet.RunOkAsync("stop");
        Fleet.Write("orchestra.yml", $"name: {_vendors.Name}\n");
        await Fleet.RunOkAsync("start");
        Assert.Equal("healthy", (await Fleet.ReplicaAsync("worker")).State);
    }

    [SkippableFact]
    public async Task A_host_port_held_by_another_process_fails_up_naming_the_process_and_an_image_that_cannot_be_pulled_says_so()
    {
        var port = Ports.Free();
        var script = Fleet.Write("holder.py", $"import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',{port}))\ns.listen()\ntime.sleep(600)\n");
        var holder = Fleet.StartOutside(TestFleet.Python, [script], Fleet.Root);
        await Eventually.TrueAsync(() => PortsInUse().Contains(port), "the port to be held");
        _vendors.Vendors(VendorWorkspace.Redis().Replace("ports: [\"6379\"]", $"ports: [\"{port}:6379\"]"));

        var held = await Fleet.RunAsync("vendors", "up");
        _vendors.Vendors($"  ghost:\n    image: orchestra-test/not-built:1\n");
        var missing = await Fleet.RunAsync("vendors", "up");

        Assert.Equal(1, held.ExitCode);
        Assert.Equal($"error: Container '{_vendors.Container("redis")}' cannot publish 127.0.0.1:{port}: it is held by pid {holder.Id} {TestFleet.Python} {script}; stop it or give vendor 'redis' another port.", held.Error.Trim().Split('\n')[^1]);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: The image 'orchestra-test/not-built:1' is not on the Docker engine and cannot be pulled (", missing.Error.Trim().Split('\n')[^1]);
        Assert.Empty(await _vendors.ContainersAsync());
    }

    [SkippableFact]
    public async Task Stop_leaves_the_vendors_running_and_ps_still_shows_them()
    {
        _vendors.Vendors(VendorWorkspace.Redis());
        Fleet.PythonService("worker", Idle, "depends_on: [redis]\nhealth: { log: 'idle up' }\n");
        await Fleet.RunOkAsync("start");

        await Fleet.RunOkAsync("stop");
        var ps = await Fleet.RunOkAsync("ps");

        Assert.Null(Fleet.SupervisorPid);
        Assert.Equal("true", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}}", _vendors.Container("redis"))).Trim());
        Assert.Contains(ps.Out.Split('\n'), l => l.Contains("redis") && l.Contains("not supervised") && l.Contains(_vendors.Container("redis")));
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
        var config = Fleet.Write("registry.yml", $"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {Fleet.PathOf("registry")}\nhttp:\n  addr: 127.0.0.1:{port}\n");
        Fleet.StartOutside(Registry, ["serve", config], Fleet.Root);
        await Eventually.TrueAsync(async () => await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/v2/") is not null, "the registry to answer");
        var image = $"127.0.0.1:{port}/pulled/redis:{_vendors.Name}";
        await DockerCli.RunAsync("tag", TestImages.Redis, image);
        await DockerCli.RunAsync("push", image);
        await DockerCli.RunAsync("rmi", image);
        _vendors.Vendors(VendorWorkspace.Redis().Replace($"image: {TestImages.Redis}", $"image: {image}"));
        try
        {
            var up = await Fleet.RunAsync("vendors", "up");

            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Contains($"redis: pulling {image}\n", up.Error);
            // The engine's own steps, as `docker pull` shows them.
            Assert.Contains($"redis: {image}: Status: Downloaded newer image for {image}\n", up.Error);
            Assert.Equal("true", (await DockerCli.RunAsync("inspect", "-f", "{{.State.Running}}", _vendors.Container("redis"))).Trim());
        }
        finally
        {
            await Fleet.RunAsync("vendors", "down");
            await DockerCli.TryRunAsync("rmi", image);
        }
    }

    private static HashSet<int> PortsInUse() =>
        System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Select(e => e.Port).ToHashSet();
}
