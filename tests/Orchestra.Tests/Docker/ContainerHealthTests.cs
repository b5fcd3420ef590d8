using Orchestra.Configuration;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Testing.Docker;
using Orchestra.Vendors.Containers;
using Orchestra.Vendors.Engine;
using DockerEngine = Orchestra.Vendors.Engine.DockerEngine;

namespace Orchestra.Tests.Docker;

/// <summary>A container replica's tcp health, on a real engine.</summary>
public sealed class ContainerHealthTests
{
    [SkippableTheory]
    [InlineData("sleep 600", ReplicaState.Unhealthy)]
    [InlineData("exec redis-server --protected-mode no", ReplicaState.Healthy)]
    public async Task A_tcp_probe_asks_the_program_in_the_container_not_dockers_port_proxy(string command, ReplicaState settles)
    {
        await DockerRequirement.EnsureAsync(TestImages.Redis);
        using var workspace = new TempWorkspace();
        await using var cleanup = new DockerCleanup(workspace.Root);
        using var engine = await DockerEngine.ConnectAsync(DockerEndpoint.FromEnvironment(), CancellationToken.None);
        var spec = new ContainerSpec
        {
            Name = $"orchestra-health-{Guid.NewGuid():N}"[..30],
            Image = TestImages.Redis,
            Workspace = workspace.Root,
            Service = "cache",
            StateDirectory = workspace.StateDirectory,
            Command = ["sh", "-c", command],
            Ports = [new PublishedPort(6379, Ports.Free())],
            Health = ContainerHealth.Of(new HealthConfig(HealthKind.Tcp, null, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3))),
            Restart = RestartPolicy.No,
            StopTimeout = TimeSpan.FromSeconds(1),
        };
        await using var runner = new ContainerRunner(spec, engine, new RuntimeOptions());

        runner.Start();

        // Docker's proxy accepts on the published port whether or not anything listens inside.
        Assert.Equal(settles, await runner.WaitForAsync(s => s is not ReplicaState.Starting, CancellationToken.None).WithDeadline());
        await runner.StopAsync(CancellationToken.None);
    }
}
