using System.Diagnostics;
using Orchestra.Build.Building;
using Orchestra.Build.Evaluation;

namespace Orchestra.Build.Tests;

[Collection(FleetCollection.Name)]
public sealed class FleetBuildTests(FleetFixture fleet)
{
    private static readonly char Sep = Path.DirectorySeparatorChar;

    [Fact]
    public void First_build_builds_every_service_in_one_session()
    {
        Assert.All(fleet.FirstBuild.Services, s => Assert.Equal(BuildOutcome.Built, s.Outcome));
        Assert.Equal(["api", "worker"], fleet.FirstBuild.HandedToMSBuild.Order());
    }

    [Fact]
    public async Task Evaluation_gives_the_run_command_and_the_watch_files_of_the_api_and_its_library()
    {
        var api = await EvaluationOf("api");
        var root = fleet.Workspace.Root;
        Assert.Equal("net10.0", api.TargetFramework);
        Assert.True(api.IsRunnable);
        Assert.Equal($"{root}{Sep}api{Sep}bin{Sep}Debug{Sep}net10.0{Sep}Api.dll", api.TargetPath);
        Assert.Equal($"{root}{Sep}api{Sep}bin{Sep}Debug{Sep}net10.0{Sep}Api", api.RunCommand);
        // The Web SDK sets RunWorkingDirectory to the project's folder, its content root; dotnet run runs it there.
        Assert.Equal($"{root}{Sep}api", api.RunWorkingDirectory);
        Assert.Equal([fleet.Workspace.PathOf("lib/Lib.csproj")], api.ReferencedProjects);
        Assert.Contains(fleet.Workspace.PathOf("api/Program.cs"), api.WatchFiles);
        Assert.Contains(fleet.Workspace.PathOf("api/appsettings.json"), api.WatchFiles);
        Assert.Contains(fleet.Workspace.PathOf("api/Api.csproj"), api.WatchFiles);
        Assert.Contains(fleet.Workspace.PathOf("lib/Greeting.cs"), api.WatchFiles);
        Assert.Contains(fleet.Workspace.PathOf("lib/Lib.csproj"), api.WatchFiles);
        Assert.Contains(api.WatchFiles, f => f.EndsWith($"{Sep}Microsoft.NET.Sdk.targets", StringComparison.Ordinal));
        Assert.DoesNotContain(api.WatchFiles, f => f.Contains($"{Sep}obj{Sep}", StringComparison.Ordinal));
        Assert.DoesNotContain(fleet.Workspace.PathOf("worker/Program.cs"), api.WatchFiles);
    }

    [Fact]
    public async Task Built_web_api_runs_and_answers_http()
    {
        var api = await EvaluationOf("api");
        Assert.True(File.Exists(api.TargetPath));
        var port = Ports.Free();
        var start = new ProcessStartInfo(api.RunCommand, api.RunArguments)
        {
            WorkingDirectory = api.RunWorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        using var process = Process.Start(start)!;
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var body = await GetWhenListeningAsync(client, $"http://127.0.0.1:{port}/", process);
            Assert.Equal("hello from lib", body);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Built_worker_runs()
    {
        var worker = await EvaluationOf("worker");
        var start = new ProcessStartInfo(worker.RunCommand, worker.RunArguments) { WorkingDirectory = worker.RunWorkingDirectory ?? fleet.Workspace.PathOf("worker"), RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("worker ran", output.Trim());
    }

    [Fact]
    public async Task Unchanged_fleet_hands_nothing_to_MSBuild_and_a_touched_file_rebuilds_only_its_dependents()
    {
        // Other tests of the fleet touch files too; settle whatever they left, then build again with no change.
        Assert.True((await fleet.Workspace.BuildAsync()).Succeeded);
        var again = await fleet.Workspace.BuildAsync();
        Assert.Empty(again.HandedToMSBuild);
        Assert.Empty(again.Evaluated);
        Assert.All(again.Services, s => Assert.Equal(BuildOutcome.UpToDate, s.Outcome));

        // The library is no service, but the api's build includes it: only the api rebuilds.
        fleet.Workspace.Touch("lib/Greeting.cs");
        var afterLibrary = await fleet.Workspace.BuildAsync();
        Assert.Equal(["api"], afterLibrary.HandedToMSBuild);
        Assert.Equal(BuildOutcome.UpToDate, afterLibrary.Services.Single(s => s.Service == "worker").Outcome);
        Assert.Empty(afterLibrary.Evaluated);

        fleet.Workspace.Touch("worker/Program.cs");
        var afterWorker = await fleet.Workspace.BuildAsync();
        Assert.Equal(["worker"], afterWorker.HandedToMSBuild);
        Assert.True(afterWorker.Succeeded);
    }

    [Fact]
    public async Task Evaluations_are_cached_until_a_project_file_changes()
    {
        var cached = await fleet.Workspace.EvaluateAsync();
        Assert.All(cached, o => Assert.False(o.Fresh));
        fleet.Workspace.Touch("lib/Lib.csproj");
        var again = await fleet.Workspace.EvaluateAsync();
        // The api references the library, so its evaluation depends on the library's project file.
        Assert.True(again.Single(o => o.Service.Name == "api").Fresh);
        Assert.False(again.Single(o => o.Service.Name == "worker").Fresh);
    }

    private async Task<ProjectEvaluation> EvaluationOf(string service) =>
        (await fleet.Workspace.EvaluateAsync()).Single(o => o.Service.Name == service).Evaluation!;


    /// <summary>Retries until the server listens, and gives up at once if the process died.</summary>
    private static Task<string> GetWhenListeningAsync(HttpClient client, string url, Process process) =>
        Eventually.ValueAsync(async () =>
        {
            try
            {
                return await client.GetStringAsync(url);
            }
            catch (HttpRequestException) when (!process.HasExited)
            {
                return null;
            }
        }, $"{url} to answer");
}
