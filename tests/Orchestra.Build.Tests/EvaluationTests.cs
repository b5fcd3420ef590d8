using Orchestra.Build.Evaluation;

namespace Orchestra.Build.Tests;

/// <summary>Evaluation alone (no build): test projects, SDK limits, framework choice.</summary>
public sealed class EvaluationTests
{
    private const string TestProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup><TargetFramework>net10.0</TargetFramework><IsTestProject>true</IsTestProject></PropertyGroup>
        </Project>
        """;

    [Fact]
    public async Task Test_projects_come_from_tests_or_from_IsTestProject_under_the_service_folder()
    {
        using var workspace = new BuildWorkspace()
            .Service("named", BuildWorkspace.Console, "tests: [../Named.Tests]\n")
            .Write("Named.Tests/Named.Tests.csproj", TestProject)
            .Service("nested", BuildWorkspace.Console)
            .Write("nested/tests/Nested.Tests/Nested.Tests.csproj", TestProject)
            .Write("nested/tools/Helper/Helper.csproj", BuildWorkspace.Library);
        var outcomes = await workspace.EvaluateAsync();
        Assert.Equal([workspace.PathOf("Named.Tests/Named.Tests.csproj")], outcomes.Single(o => o.Service.Name == "named").Evaluation!.TestProjects);
        Assert.Equal([workspace.PathOf("nested/tests/Nested.Tests/Nested.Tests.csproj")], outcomes.Single(o => o.Service.Name == "nested").Evaluation!.TestProjects);
    }

    [Fact]
    public async Task Project_for_a_newer_dotnet_than_the_sdk_is_a_usage_error()
    {
        const string project = """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net99.0</TargetFramework></PropertyGroup>
            </Project>
            """;
        using var workspace = new BuildWorkspace().Service("future", project);
        var (code, _, error) = await workspace.RunCliAsync("build");
        Assert.Equal(2, code);
        Assert.Matches(@"^error: Service 'future' targets net99\.0, but the \.NET SDK [0-9.]+ supports only up to \.NET [0-9.]+; install a newer SDK or change global\.json\.$", error.Trim());
    }

    [Fact]
    public async Task Framework_that_the_project_does_not_target_is_refused()
    {
        using var workspace = new BuildWorkspace().Service("app", BuildWorkspace.Console, "framework: net8.0\n");
        var error = (await workspace.EvaluateAsync()).Single().Error;
        Assert.Equal("Service 'app' asks for framework 'net8.0', but its project App.csproj targets only net10.0.", error);
    }

    [Fact]
    public async Task Command_service_with_a_library_project_is_valid()
    {
        using var workspace = new BuildWorkspace().Service("tool", BuildWorkspace.Library, "command: [\"./run.sh\"]\n");
        var evaluation = (await workspace.EvaluateAsync()).Single().Evaluation;
        Assert.NotNull(evaluation);
        Assert.False(evaluation.IsRunnable);
        Assert.Equal("Library", evaluation.OutputType);
    }

    [Fact]
    public async Task A_replica_runs_where_dotnet_run_would_run_it()
    {
        const string project = """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><RunWorkingDirectory>$(MSBuildProjectDirectory)/data</RunWorkingDirectory></PropertyGroup>
            </Project>
            """;
        using var workspace = new BuildWorkspace().Service("set", project).Service("unset", BuildWorkspace.Console);

        var outcomes = await workspace.EvaluateAsync();

        Assert.Equal(workspace.PathOf("set/data"), outcomes.Single(o => o.Service.Name == "set").Evaluation!.RunWorkingDirectory);
        // Unset, dotnet run runs in the folder it is started from: for a replica, the service's folder.
        Assert.Null(outcomes.Single(o => o.Service.Name == "unset").Evaluation!.RunWorkingDirectory);
    }
}
