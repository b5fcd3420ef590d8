using Orchestra.Build.Building;

namespace Orchestra.Build.Tests;

/// <summary>The <c>build:</c> commands of <c>command:</c> services, which never go to MSBuild.</summary>
public sealed class CommandBuildTests
{
    [Fact]
    public async Task Build_commands_run_in_the_service_folder_and_a_failing_one_reports_its_output()
    {
        using var workspace = new BuildWorkspace()
            .Write("maker/service.yml", "command: [\"cat\", \"out.txt\"]\nbuild: [\"sh\", \"-c\", \"echo made > out.txt\"]\n")
            .Write("breaker/service.yml", "command: [\"true\"]\nbuild: [\"sh\", \"-c\", \"echo boom >&2; exit 3\"]\n");
        var result = await workspace.BuildAsync();

        Assert.Empty(result.HandedToMSBuild);
        Assert.Equal(BuildOutcome.Built, result.Services.Single(s => s.Service == "maker").Outcome);
        Assert.Equal("made\n", File.ReadAllText(workspace.PathOf("maker/out.txt")));
        var breaker = result.Services.Single(s => s.Service == "breaker");
        Assert.Equal(BuildOutcome.Failed, breaker.Outcome);
        Assert.Equal("its build command 'sh -c echo boom >&2; exit 3' failed with exit code 3.", breaker.Error);
        Assert.Equal("error: boom", Assert.Single(breaker.Diagnostics).ToString());
    }
}
