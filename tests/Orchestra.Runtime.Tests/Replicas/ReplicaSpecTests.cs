using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Runtime.Replicas;
using Orchestra.Variables;

namespace Orchestra.Runtime.Tests.Replicas;

public sealed class ReplicaSpecTests
{
    [Fact]
    public void A_service_definition_becomes_a_spec_with_its_args_policies_and_log_files()
    {
        var root = Path.Combine(Path.GetTempPath(), "shop");
        var at = new SourceLocation(Path.Combine(root, "api", "service.yml"), 1, 1);
        var health = new HealthConfig(HealthKind.Http, "/health", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        var service = new ServiceDefinition
        {
            Name = "api",
            Directory = Path.Combine(root, "api"),
            Kind = ServiceKind.Command,
            Config = new ServiceConfig
            {
                FilePath = at.File,
                Args = ["--verbose"],
                Port = new Located<int>(5100, at),
                Stop = new StopConfig("SIGINT", TimeSpan.FromSeconds(3)),
            },
            Restart = RestartPolicy.Always,
            StopTimeout = TimeSpan.FromSeconds(3),
            Health = health,
        };
        var workspace = new Workspace { Root = root, Config = new WorkspaceConfig { FilePath = Path.Combine(root, "orchestra.yml") }, Services = [service] };
        var environment = new ReplicaEnvironment([new ResolvedVariable("PORT", "5101", VariableOrigin.Injected, "orchestra")]);

        var spec = ReplicaSpec.For(workspace, service, ["./bin/api", "--urls", "x"], environment, replica: 1, port: 5101);

        Assert.Equal(("api", 1, "./bin/api"), (spec.Service, spec.Replica, spec.Program));
        Assert.Equal(["--urls", "x", "--verbose"], spec.Arguments);
        Assert.Equal(service.Directory, spec.WorkingDirectory);
        Assert.Equal("5101", spec.Environment["PORT"]);
        Assert.Equal((5101, RestartPolicy.Always, "SIGINT", TimeSpan.FromSeconds(3)), (spec.Port!.Value, spec.Restart, spec.StopSignal, spec.StopTimeout));
        Assert.Same(health, spec.Health);
        Assert.Equal(Path.Combine(root, ".orchestra", "logs", "api.1.log"), spec.LogFiles.Log);
        Assert.Throws<ArgumentException>(() => ReplicaSpec.For(workspace, service, [], environment));
    }
}
