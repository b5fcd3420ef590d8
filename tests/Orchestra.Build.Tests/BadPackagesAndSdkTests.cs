using Orchestra.Build.Building;

namespace Orchestra.Build.Tests;

/// <summary>A package that cannot be restored and an SDK that cannot be found end in one clear sentence and the right exit code.</summary>
[StartsEarly]
public sealed class BadPackagesAndSdkTests
{
    [Fact]
    public async Task Package_that_cannot_be_restored_fails_the_service_with_the_nuget_error()
    {
        using var workspace = new BuildWorkspace().Service("needy", BuildWorkspace.NeedsMissingPackage, "", "System.Console.WriteLine();");
        var result = await workspace.BuildAsync();
        var report = Assert.Single(result.Services);
        Assert.Equal(BuildOutcome.Failed, report.Outcome);
        Assert.Equal("its packages could not be restored.", report.Error);
        Assert.Contains(report.Diagnostics, d => d.Code == "NU1101" && d.ToString().Contains("error NU1101:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restore_failure_of_one_service_is_its_own_and_the_others_restore_and_build()
    {
        // "a" comes first, so the fleet's one restore enters through its project: the errors NuGet raises there
        // about b's package must still be b's alone.
        using var workspace = new BuildWorkspace()
            .Service("a", BuildWorkspace.Console, "", "Console.WriteLine(\"fine\");\n")
            .Service("b", BuildWorkspace.NeedsMissingPackage, "", "System.Console.WriteLine();");
        var (code, output, _) = await workspace.RunCliAsync("build");
        Assert.Equal(1, code);
        Assert.Contains("a: built", output);
        Assert.Contains("b: failed: its packages could not be restored.", output);
        var nu1101 = Assert.Single(output.Split('\n'), line => line.Contains("error NU1101", StringComparison.Ordinal));
        Assert.Contains(workspace.PathOf("b/B.csproj"), nu1101);
        Assert.Matches(@"(?s)b: failed.*error NU1101", output);
        Assert.Contains("2 services: 1 built, 1 failed.", output);
        Assert.True(File.Exists(workspace.PathOf("a/bin/Debug/net10.0/A.dll")));
    }

    [Fact]
    public async Task Missing_sdk_exits_2_with_one_sentence()
    {
        using var workspace = new BuildWorkspace()
            .Service("app", BuildWorkspace.Console, "", "System.Console.WriteLine();")
            .Write("global.json", """{ "sdk": { "version": "99.0.100", "rollForward": "disable" } }""");
        var (code, _, error) = await workspace.RunCliAsync("build");
        Assert.Equal(2, code);
        Assert.StartsWith($"error: No .NET SDK was found for {workspace.Root}", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_global_json_written_after_a_build_is_honoured_by_the_next_in_the_same_process()
    {
        // The SDK a folder resolves is asked of dotnet once per global.json text; a new one must be asked again.
        using var workspace = new BuildWorkspace().Service("app", BuildWorkspace.Console, "", "System.Console.WriteLine();");
        Assert.NotNull(Assert.Single(await workspace.EvaluateAsync()).Evaluation);
        workspace.Write("global.json", """{ "sdk": { "version": "99.0.100", "rollForward": "disable" } }""");
        var (code, _, error) = await workspace.RunCliAsync("build");
        Assert.Equal(2, code);
        Assert.StartsWith($"error: No .NET SDK was found for {workspace.Root}", error);
    }
}
