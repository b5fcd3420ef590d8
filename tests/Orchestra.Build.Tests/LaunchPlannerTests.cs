using System.Text.RegularExpressions;
using Orchestra.State;
using Orchestra.Variables;

namespace Orchestra.Build.Tests;

/// <summary>What the launch planner settles before anything runs.</summary>
public sealed class LaunchPlannerTests
{
    [Fact]
    public async Task Planning_assigns_a_vendors_host_port_once_and_the_replicas_and_env_are_told_that_one()
    {
        using var workspace = new BuildWorkspace()
            .Write("orchestra.yml", """
                name: test
                vendors:
                  postgres:
                    image: postgres:16
                    ports: ["5432"]
                    connection_string: "Host=${host};Port=${port};Username=postgres"
                """)
            .Write("api/service.yml", "command: [\"true\"]\n");

        var before = ConnectionString(workspace);
        var planned = await workspace.PlanAsync();
        var assigned = new VendorPortAssignments(workspace.Load().StateDirectory).Find(workspace.Load().Vendors[0], 5432);
        var afterFirst = ConnectionString(workspace);
        await workspace.PlanAsync();
        var afterSecond = ConnectionString(workspace);
        var env = await workspace.RunCliAsync("env", "api", "--for", "start", "--export");

        Assert.True(planned.Succeeded, planned.Failure);
        Assert.Equal($"Host=127.0.0.1;Port={EnvironmentResolver.VendorPortChosenAtStart};Username=postgres", before);
        Assert.NotNull(assigned);
        Assert.Equal($"Host=127.0.0.1;Port={assigned};Username=postgres", afterFirst);
        Assert.Equal(afterFirst, afterSecond);
        Assert.Equal(0, env.ExitCode);
        Assert.Equal(afterFirst, Regex.Match(env.Out, "(?m)^export ConnectionStrings__postgres='(.*)'$").Groups[1].Value);
        Assert.Contains($"export POSTGRES_PORT={assigned}\n", env.Out);
    }

    [Fact]
    public async Task With_docker_each_project_runs_its_dll_from_its_output_folder_in_docker_image_or_the_net_image_its_project_needs()
    {
        const string web = """
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
            </Project>
            """;
        const string hosted = """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup>
            </Project>
            """;
        using var workspace = new BuildWorkspace()
            .Service("web", web)
            .Service("hosted", hosted)
            .Service("tool", BuildWorkspace.Console)
            .Service("own", BuildWorkspace.Console, "docker: { image: registry.local/own:1 }\n")
            .Write("script/service.yml", "command: [\"true\"]\n");

        var docker = await workspace.PlanAsync(docker: true);
        var processes = await workspace.PlanAsync();

        Assert.True(docker.Succeeded, docker.Failure);
        var containers = docker.Launch.ToDictionary(l => l.Service, l => l.Container);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", containers["web"]?.Image);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", containers["hosted"]?.Image);
        Assert.Equal("mcr.microsoft.com/dotnet/runtime:10.0", containers["tool"]?.Image);
        Assert.Equal("registry.local/own:1", containers["own"]?.Image);
        Assert.Equal(["dotnet", "/app/Web.dll"], containers["web"]!.Command);
        Assert.Equal(workspace.PathOf("web/bin/Debug/net10.0"), containers["web"]!.OutputDirectory);
        // A command service is a program of the host: it runs as a process.
        Assert.Null(containers["script"]);
        Assert.All(processes.Launch, l => Assert.Null(l.Container));
    }

    /// <summary>ConnectionStrings__postgres of api as the supervisor resolves it for a replica it starts now.</summary>
    private static string ConnectionString(BuildWorkspace workspace)
    {
        var loaded = workspace.Load();
        var vendorPorts = new VendorPortAssignments(loaded.StateDirectory).Known(loaded.Vendors);
        return new EnvironmentResolver(loaded, new Dictionary<string, string>(), vendorPorts).Resolve(loaded.FindService("api")!, "start")["ConnectionStrings__postgres"]!;
    }
}
