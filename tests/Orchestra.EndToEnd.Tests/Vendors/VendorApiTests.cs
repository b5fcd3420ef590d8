using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;
using Orchestra.Testing.Docker;

namespace Orchestra.EndToEnd.Tests.Vendors;

/// <summary>An ASP.NET API beside postgres and redis in a real Docker engine: as a process, and in a container.</summary>
[StartsEarly]
public sealed partial class VendorApiTests(VendorApi api) : IClassFixture<VendorApi>, IAsyncLifetime
{
    private readonly VendorWorkspace _vendors = new();

    private TestFleet Fleet => _vendors.Fleet;

    public Task InitializeAsync() => _vendors.InitializeAsync();

    public Task DisposeAsync() => _vendors.DisposeAsync();

    [SkippableFact]
    public async Task Start_brings_up_postgres_and_redis_first_and_the_api_reaches_both_through_its_configuration()
    {
        _vendors.Vendors(VendorWorkspace.Postgres() + VendorWorkspace.Redis());
        var port = Ports.Free();
        api.CopyInto(Fleet, $"port: {port}\nhealth: {{ http: /health }}\ndepends_on: [postgres, redis]\n");

        var start = await Fleet.RunAsync("start", "--no-build");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("db 1", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/db"));
        Assert.Equal("cache hello", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/cache"));
        var ps = await Fleet.PsAsync();
        Assert.True(ps.Select(r => r.Service).Order().SequenceEqual(["api", "postgres", "redis"]), string.Join(", ", ps));
        Assert.All(ps, r => Assert.Equal("healthy", r.State));
        // The vendors were healthy before the api started.
        var lines = start.Error.Split('\n');
        Assert.True(Array.FindIndex(lines, l => l.StartsWith("api: starting")) > Array.FindLastIndex(lines, l => l.StartsWith("redis: starting") || l.StartsWith("postgres: starting")), start.Error);

        // The vendors' output is in the logs beside the services', prefixed with the vendor's name, in time order.
        var logs = await Fleet.RunOkAsync("logs", "--no-color", "-t");
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
        _vendors.Vendors(VendorWorkspace.Postgres() + VendorWorkspace.Redis());
        var port = Ports.Free();
        api.CopyInto(Fleet, $"port: {port}\nhealth: {{ http: /health }}\ndepends_on: [postgres, redis]\ndocker: {{ image: {TestImages.AspNet} }}\n");

        var start = await Fleet.RunAsync("start", "--docker", "--no-build");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("db 1", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/db"));
        Assert.Equal("cache hello", await FreshHttp.GetStringAsync($"http://127.0.0.1:{port}/cache"));
        var environment = (await DockerCli.RunAsync("inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", $"orchestra-{_vendors.Name}-api-0")).Split('\n');
        Assert.Contains("ConnectionStrings__postgres=Host=postgres;Port=5432;Username=postgres;Password=dev;Pooling=false", environment);
        Assert.Contains("ConnectionStrings__redis=redis:6379", environment);
        // Stopping the services leaves the vendors, and the network they are on.
        await Fleet.RunOkAsync("stop");
        Assert.Equal([_vendors.Container("postgres"), _vendors.Container("redis")], (await _vendors.ContainersAsync()).Order());
    }

    [GeneratedRegex(@"^(?<time>\d\d:\d\d:\d\d\.\d{3}) (?<name>\S+)\s+[|!] ")]
    private static partial Regex LogLine();
}
