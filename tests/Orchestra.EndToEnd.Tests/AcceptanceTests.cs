using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 11, point 2: <c>test --acceptance</c> against a fleet of one Python web service, with an xunit (VSTest)
/// acceptance project that finds it as a service would, by <c>services__web__http__0</c>. Its one test that passes
/// and one that fails are picked with <c>--filter</c>, so the project is built once for the class.
/// </summary>
[StartsEarly]
public sealed class AcceptanceTests(AcceptanceWorkspace workspace) : IClassFixture<AcceptanceWorkspace>
{
    private readonly TestFleet _fleet = workspace.Fleet;

    [Fact]
    public void A_passing_run_exits_0_and_stops_the_fleet_it_started()
    {
        var run = workspace.FirstRun;
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Shop.Acceptance", run.Out);
        Assert.True(workspace.FirstRunWroteReport, run.ToString());
        Assert.Empty(Procs.LiveInWorkspace(_fleet.Root));
        Assert.Null(_fleet.SupervisorPid);
    }

    [Fact]
    public async Task A_failing_test_exits_1_names_the_test_and_still_stops_the_fleet()
    {
        var run = await _fleet.RunAsync("test", "--acceptance", "--filter", "FullyQualifiedName~Web_");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("failed Shop.Acceptance.WebTests.Web_is_closed", run.Out);
        Assert.Contains("shop is closed", run.Out);
        Assert.Empty(Procs.LiveInWorkspace(_fleet.Root));
        Assert.Null(_fleet.SupervisorPid);
    }

    [Fact]
    public async Task Ctrl_C_during_the_tests_still_stops_the_fleet_and_the_runner()
    {
        using var interrupt = new CancellationTokenSource();
        var running = _fleet.RunAsync(interrupt.Token, "test", "--acceptance", "--filter", "FullyQualifiedName~Hangs");
        // The hanging test writes the marker that commands.test.env names once it runs, with the fleet up.
        await Eventually.TrueAsync(() => File.Exists(workspace.Marker) || running.IsCompleted, "the hanging acceptance test to run");
        Assert.False(running.IsCompleted, running.IsCompleted ? (await running).ToString() : "");
        await interrupt.CancelAsync();

        var run = await running.WithDeadline();

        Assert.True(run.ExitCode == 130, run.ToString());
        Assert.Empty(Procs.LiveInWorkspace(_fleet.Root));
        Assert.Null(_fleet.SupervisorPid);
        // The runner and its test host were sent SIGKILL; their exit is the kernel's to finish.
        await Eventually.TrueAsync(() => Procs.LiveWithCommandLine("Shop.Acceptance").Count == 0, "the test runner's processes to be gone");
    }

    [Fact]
    public async Task A_running_fleet_is_used_and_left_running()
    {
        await _fleet.RunOkAsync("start");
        try
        {
            var before = await _fleet.ReplicaAsync("web");

            var run = await _fleet.RunAsync("test", "--acceptance", "--filter", AcceptanceWorkspace.PassingTest);

            Assert.True(run.ExitCode == 0, run.ToString());
            var after = await _fleet.ReplicaAsync("web");
            Assert.Equal(before.Pid, after.Pid);
            Assert.True(after.Pid is { } pid && Procs.IsLive(pid), $"web's replica is gone: {run}");
        }
        finally
        {
            await _fleet.RunOkAsync("stop");
        }
    }

    [Fact]
    public async Task Without_acceptance_projects_it_is_bad_usage()
    {
        await using var empty = new TestFleet("no-acceptance");
        empty.Write("orchestra.yml", "name: empty\n");
        empty.PythonService("web", PythonHttpServer.Answering("'x'"), $"port: {Ports.Free()}\n");

        var run = await empty.RunAsync("test", "--acceptance");
        empty.Write("orchestra.yml", "name: empty\nacceptance: [tests/None]\n");
        var json = await empty.RunAsync("test", "--acceptance", "--json");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("acceptance:", run.Error);
        // Starting and stopping the fleet would print among the JSON: refused before anything starts.
        Assert.True(json.ExitCode == 2, json.ToString());
        Assert.Contains("--json cannot be combined with --acceptance", json.Error);
        Assert.Null(empty.SupervisorPid);
    }
}

/// <summary>The workspace of <see cref="AcceptanceTests"/>, and its first (cold) passing run of <c>test --acceptance</c>.</summary>
public sealed class AcceptanceWorkspace : IAsyncLifetime
{
    public const string PassingTest = "FullyQualifiedName~Web_answers";

    public TestFleet Fleet { get; } = new("acceptance");

    /// <summary>The file the hanging acceptance test writes as it starts.</summary>
    public string Marker => Fleet.PathOf("hanging.marker");

    public CliResult FirstRun { get; private set; } = new(-1, "", "");

    /// <summary>Whether the first run left its TRX report under .orchestra/test-results/.</summary>
    public bool FirstRunWroteReport { get; private set; }

    public async Task InitializeAsync()
    {
        Fleet.Write("orchestra.yml", $"name: shop\nacceptance: [tests/Shop.Acceptance]\ncommands:\n  test: {{ env: {{ MARKER: {Marker} }} }}\n");
        // The acceptance project needs real packages, from the feed the machine restores from.
        Fleet.Write("NuGet.config", TestProjectFiles.PublicFeed);
        Fleet.PythonService("web", PythonHttpServer.Answering("'shop is open'"), $"port: {Ports.Free()}\n");
        Fleet.Write("tests/Shop.Acceptance/Shop.Acceptance.csproj", TestProjectFiles.XunitVsTest);
        Fleet.Write("tests/Shop.Acceptance/WebTests.cs", """
            using Xunit;
            namespace Shop.Acceptance;
            public class WebTests
            {
                private static readonly HttpClient Http = new();
                private static string Web => Environment.GetEnvironmentVariable("services__web__http__0")
                    ?? throw new InvalidOperationException("services__web__http__0 is not set.");
                [Fact] public async Task Web_answers() => Assert.Equal("shop is open", await Http.GetStringAsync(Web));
                [Fact] public async Task Web_is_closed() => Assert.Equal("shop is closed", await Http.GetStringAsync(Web));
                // Stands for a test still running when the user presses Ctrl-C; five minutes bound it if the runner is not killed.
                [Fact] public async Task Hangs()
                {
                    File.WriteAllText(Environment.GetEnvironmentVariable("MARKER")!, "running");
                    await Task.Delay(TimeSpan.FromMinutes(5));
                }
            }
            """);
        FirstRun = await Fleet.RunAsync("test", "--acceptance", "--filter", PassingTest);
        // Seen now: a later run of the class replaces the report.
        FirstRunWroteReport = File.Exists(Path.Combine(Fleet.StateDirectory, "test-results", "acceptance.Shop.Acceptance.trx"));
    }

    public Task DisposeAsync() => Fleet.DisposeAsync().AsTask();
}
