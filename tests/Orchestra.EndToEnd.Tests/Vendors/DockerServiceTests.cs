using Orchestra.EndToEnd.Tests.Support;
using Orchestra.Testing.Docker;

namespace Orchestra.EndToEnd.Tests.Vendors;

/// <summary><c>start --docker</c>: the samples' build output run in containers of a real engine, on the test images.</summary>
public sealed class DockerServiceTests : IAsyncLifetime
{
    private readonly TestFleet _fleet = new("docker-services");
    private readonly string _name = $"ds{Guid.NewGuid():N}"[..12];
    private DockerCleanup? _cleanup;

    private string Container(string service) => $"orchestra-{_name}-{service}-0";

    public async Task InitializeAsync()
    {
        await DockerRequirement.EnsureAsync(TestImages.AspNet);
        _cleanup = new DockerCleanup(_fleet.Root);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        if (_cleanup is not null)
            await _cleanup.DisposeAsync();
    }

    /// <summary>The samples with ports of their own and <paramref name="image"/> as each one's docker.image.</summary>
    private Task<IReadOnlyDictionary<string, int>> SamplesAsync(string image) =>
        BuiltSamples.CopyWithFreePortsAsync(_fleet, _name, yaml => yaml + $"\ndocker: {{ image: {image} }}\n");

    private async Task<IReadOnlyList<string>> ContainersAsync(bool all = false) =>
        (await DockerCli.RunAsync([.. "ps --filter".Split(' '), $"label=orchestra.workspace={_fleet.Root}", "--format", "{{.Names}}", .. all ? new[] { "-a" } : []]))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();

    [SkippableFact]
    public async Task The_samples_run_in_containers_answer_on_their_ports_and_storefront_reaches_catalog_by_its_name()
    {
        var ports = await SamplesAsync(TestImages.AspNet);

        var start = await _fleet.RunAsync("start", "--docker", "--no-build");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal([Container("catalog"), Container("storefront"), Container("worker")], await ContainersAsync());
        Assert.Contains("Espresso beans", await FreshHttp.GetStringAsync($"http://127.0.0.1:{ports["catalog"]}/products"));
        // storefront's page holds catalog's products: it asked catalog at http://catalog:PORT, on the workspace's network.
        var page = await FreshHttp.GetStringAsync($"http://127.0.0.1:{ports["storefront"]}/storefront");
        Assert.Contains("\"source\":\"catalog\"", page);
        Assert.Contains("Espresso beans", page);
        var environment = (await DockerCli.RunAsync("inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", Container("storefront"))).Split('\n');
        Assert.Contains($"services__catalog__http__0=http://catalog:{ports["catalog"]}", environment);
        Assert.Contains($"ASPNETCORE_URLS=http://0.0.0.0:{ports["storefront"]}", environment);
        // Without the marker recovery looks for in /proc: a container's processes are never taken for process replicas.
        Assert.DoesNotContain(environment, e => e.StartsWith("ORCHESTRA_WORKSPACE=", StringComparison.Ordinal));
        // ps shows them as containers: no pid, their image, healthy; worker's log line was seen through the container's output.
        var ps = await _fleet.PsAsync();
        Assert.Equal(BuiltSamples.Services, ps.Select(r => r.Service).Order());
        Assert.All(ps, r => Assert.True(r is { State: "healthy", Pid: null, Image: TestImages.AspNet }, r.ToString()));
        var logs = await _fleet.RunOkAsync("logs", "--no-color", "worker");
        Assert.Contains(logs.Out.Split('\n'), l => l.StartsWith("worker.0") && l.Contains("worker started"));

        var stop = await _fleet.RunAsync("stop");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(await ContainersAsync(all: true));
        Assert.Empty(await DockerCli.RunAsync("network", "ls", "-q", "--filter", $"label=orchestra.workspace={_fleet.Root}"));
        Assert.True(Procs.LiveInWorkspace(_fleet.Root).Count == 0, string.Join("; ", Procs.LiveInWorkspace(_fleet.Root).Select(Procs.CommandLine)));
    }

    [SkippableFact]
    public async Task After_a_kill_9_of_the_supervisor_stop_removes_the_services_containers_found_by_label()
    {
        await SamplesAsync(TestImages.AspNet);
        await _fleet.RunOkAsync("start", "--docker", "--no-build");
        Assert.Equal(3, (await ContainersAsync()).Count);

        Procs.Signal(_fleet.SupervisorPid!.Value, Procs.SigKill);
        var stop = await _fleet.RunAsync("stop");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(await ContainersAsync(all: true));
        Assert.Empty(await DockerCli.RunAsync("network", "ls", "-q", "--filter", $"label=orchestra.workspace={_fleet.Root}"));
    }

    [SkippableFact]
    public async Task A_missing_image_fails_the_start_in_one_sentence_saying_how_to_provide_one_and_leaves_nothing_running()
    {
        const string missing = "orchestra-test/not-built:1";
        await SamplesAsync(missing);

        var start = await _fleet.RunAsync("start", "--docker", "--no-build");

        Assert.Equal(1, start.ExitCode);
        var error = start.Error.Trim().Split('\n')[^1];
        Assert.StartsWith($"error: Service 'catalog' cannot run in a container: the image '{missing}' is not on the Docker engine and cannot be pulled (", error);
        Assert.EndsWith($"); set docker.image in catalog/service.yml to an image you have, or docker pull or docker tag one under that name. Not started: storefront, worker.", error);
        Assert.Empty(await ContainersAsync(all: true));
        await Eventually.TrueAsync(() => _fleet.SupervisorPid is null, "the supervisor to end, having nothing to run");
        Assert.Empty(Procs.LiveInWorkspace(_fleet.Root));
    }
}
