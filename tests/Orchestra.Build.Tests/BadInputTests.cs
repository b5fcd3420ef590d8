using CliWrap.Buffered;
using Orchestra.Build.Building;

namespace Orchestra.Build.Tests;

/// <summary>
/// Each kind of bad project ends in one clear sentence and the right exit code, never a crash; bad packages and SDKs
/// are <see cref="BadPackagesAndSdkTests"/>'s, in a class of their own so that the two run side by side.
/// </summary>
[StartsEarly]
public sealed class BadInputTests
{
    [Fact]
    public async Task Compile_error_is_listed_per_service_in_msbuild_form_and_exits_1_while_the_rest_builds()
    {
        using var workspace = new BuildWorkspace()
            .Service("broken", BuildWorkspace.Console, "", "Console.WriteLine(\"no semicolon\")\n")
            .Service("good", BuildWorkspace.Console, "", "Console.WriteLine(\"fine\");\n");
        var (code, output, _) = await workspace.RunCliAsync("build");
        Assert.Equal(1, code);
        Assert.Contains($"{workspace.PathOf("broken/Program.cs")}(1,34): error CS1002: ; expected", output);
        Assert.Contains("broken: failed: it does not compile.", output);
        Assert.Contains("good: built", output);
        Assert.True(File.Exists(workspace.PathOf("good/bin/Debug/net10.0/Good.dll")));
    }

    [Fact]
    public async Task Library_without_command_is_not_runnable_and_exits_2()
    {
        using var workspace = new BuildWorkspace().Service("lib", BuildWorkspace.Library);
        var (code, output, _) = await workspace.RunCliAsync("build");
        Assert.Equal(2, code);
        Assert.Contains("Service 'lib' cannot run: its project Lib.csproj is a library (OutputType Library)", output);
    }

    [Fact]
    public async Task Multi_targeted_project_needs_framework_and_then_evaluates_builds_and_runs_for_it()
    {
        const string project = """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFrameworks>net9.0;net10.0</TargetFrameworks></PropertyGroup>
            </Project>
            """;
        using var workspace = new BuildWorkspace().Service("multi", project, "", "System.Console.WriteLine($\"runs on {System.Environment.Version.Major}\");\n");
        var error = (await workspace.EvaluateAsync()).Single().Error;
        Assert.Equal("Service 'multi' has a project that targets several frameworks (net9.0, net10.0); choose one with 'framework:' in its service.yml.", error);

        workspace.Write("multi/service.yml", "framework: net10.0\n");
        var evaluation = (await workspace.EvaluateAsync()).Single().Evaluation!;
        Assert.Equal("net10.0", evaluation.TargetFramework);
        Assert.Equal("net10.0", evaluation.FrameworkProperty);
        Assert.EndsWith($"net10.0{Path.DirectorySeparatorChar}Multi.dll", evaluation.TargetPath);

        // Restoring a net9.0 target needs its targeting pack, which only the package registry has.
        workspace.Write("NuGet.config", TestProjectFiles.PublicFeed);
        var build = await workspace.BuildAsync();
        Assert.True(build.Succeeded, string.Join("\n", build.Services.SelectMany(s => s.Diagnostics.Select(d => d.ToString()).Append(s.Error ?? ""))));
        var run = await CliWrap.Cli.Wrap("dotnet").WithArguments([evaluation.TargetPath]).ExecuteBufferedAsync();
        Assert.Equal("runs on 10", run.StandardOutput.Trim());
    }

    [Fact]
    public async Task Unreadable_project_is_one_sentence_and_does_not_stop_the_others_from_restoring_and_building()
    {
        using var workspace = new BuildWorkspace()
            .Service("bad", "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup>")
            .Service("good", BuildWorkspace.Console, "", "Console.WriteLine(\"fine\");\n");
        var (code, output, _) = await workspace.RunCliAsync("build");
        Assert.Equal(2, code);
        Assert.Contains($"bad: failed: The project {workspace.PathOf("bad/Bad.csproj")} of service 'bad' cannot be read:", output);
        Assert.Contains("Unexpected end of file", output);
        Assert.Contains("good: built", output);
    }
}
