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

    /// <summary>ConnectionStrings__postgres of api as the supervisor resolves it for a replica it starts now.</summary>
    private static string ConnectionString(BuildWorkspace workspace)
    {
        var loaded = workspace.Load();
        var vendorPorts = new VendorPortAssignments(loaded.StateDirectory).Known(loaded.Vendors);
        return new EnvironmentResolver(loaded, new Dictionary<string, string>(), vendorPorts).Resolve(loaded.FindService("api")!, "start")["ConnectionStrings__postgres"]!;
    }
}
