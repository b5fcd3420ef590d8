using Orchestra.Testing.Docker;

namespace Orchestra.Tests.Docker;

public sealed class DockerCleanupTests
{
    [SkippableFact]
    public async Task Cleanup_removes_the_workspace_s_containers_and_then_its_volumes_and_networks_and_nothing_of_another()
    {
        await DockerRequirement.EnsureAsync(TestImages.Redis);
        using var workspace = new TempWorkspace();
        using var other = new TempWorkspace();
        await using var otherCleanup = new DockerCleanup(other.Root);
        var cleanup = new DockerCleanup(workspace.Root);
        var volume = await DockerCli.RunAsync("volume", "create", "--label", cleanup.Label);
        // A running container that holds the volume, so that the volume can only go after it; one never started.
        // A network a running container is on, so that the network too can only go after it.
        var network = await DockerCli.RunAsync("network", "create", "--label", cleanup.Label, $"cleanup-{Guid.NewGuid():N}");
        await DockerCli.RunAsync("run", "-d", "--label", cleanup.Label, "--network", network, "-v", $"{volume}:/data", TestImages.Redis);
        await DockerCli.RunAsync("create", "--label", cleanup.Label, TestImages.Redis);
        var kept = await DockerCli.RunAsync("create", "--label", otherCleanup.Label, TestImages.Redis);

        await cleanup.DisposeAsync();

        using var engine = DockerEngine.FromEnvironment();
        Assert.Empty(await engine.WorkspaceContainersAsync(workspace.Root, CancellationToken.None));
        Assert.Empty(await engine.WorkspaceVolumesAsync(workspace.Root, CancellationToken.None));
        Assert.Empty(await engine.WorkspaceNetworksAsync(workspace.Root, CancellationToken.None));
        Assert.Equal([kept], await engine.WorkspaceContainersAsync(other.Root, CancellationToken.None));
    }
}
