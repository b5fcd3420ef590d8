using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 11, point 3: with <c>watch.test: true</c> a rerun builds the service, then builds and runs its unit tests, and
/// replaces the replicas only when they pass. A real minimal API answering its release name, and a real xunit project
/// asserting on it; one workspace and two edits (one that breaks the test, one that fixes it), since each build here
/// takes most of a minute.
/// </summary>
[StartsEarly]
public sealed class WatchTestTests
{
    /// <summary>Generous: the first rerun restores and builds the test project cold, on a machine others share.</summary>
    private static readonly TimeSpan RerunDeadline = TimeSpan.FromMinutes(4);

    private const string Program = """
        var app = WebApplication.Create(args);
        app.MapGet("/health", () => "ok");
        app.MapGet("/", () => Release.Name);
        app.Run();
        """;

    private static string Release(string name) => $$"""
        public static class Release
        {
            public static string Name => "{{name}}";
        }
        """;

    private static readonly string TestProject = TestProjectFiles.XunitVsTest.Replace("</Project>", """
          <ItemGroup><ProjectReference Include="../api/api.csproj" /></ItemGroup>
        </Project>
        """, StringComparison.Ordinal);

    /// <summary>
    /// The unit test: a release is named with the prefix <c>commands.test.env</c> gives (so it fails if that
    /// environment does not reach the runner). It first waits while the file HOLD_TESTS names exists (two minutes at
    /// most), so that the test can see the rerun in its testing phase.
    /// </summary>
    private const string ReleaseTests = """
        using Xunit;
        namespace Api.Tests;
        public class ReleaseTests
        {
            [Fact]
            public async Task Names_start_with_the_prefix()
            {
                var hold = Environment.GetEnvironmentVariable("HOLD_TESTS")!;
                var until = DateTime.UtcNow.AddMinutes(2);
                while (File.Exists(hold) && DateTime.UtcNow < until)
                    await Task.Delay(100);
                Assert.StartsWith(Environment.GetEnvironmentVariable("RELEASE_PREFIX")!, Release.Name);
            }
        }
        """;

    private const string FailingTest = "Api.Tests.ReleaseTests.Names_start_with_the_prefix";

    [Fact]
    public async Task A_failing_unit_test_keeps_the_old_version_serving_and_shows_in_ps_and_logs_and_a_fix_is_tested_and_served()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        var url = $"http://127.0.0.1:{port}/";
        var (holdBuild, holdTests) = (fleet.PathOf("hold-build"), fleet.PathOf("hold-tests"));
        fleet.Write("orchestra.yml", $"name: watchtest\ncommands:\n  test: {{ env: {{ HOLD_TESTS: {holdTests}, RELEASE_PREFIX: v }} }}\n");
        // The test project needs real packages, from the feed the machine restores from.
        fleet.Write("NuGet.config", TestProjectFiles.PublicFeed);
        fleet.Service("api", $"port: {port}\nhealth: {{ http: /health }}\nwatch: {{ test: true }}\ntests: [../api-tests]\n",
            ("api.csproj", MinimalApi.HeldProject), ("Program.cs", Program), ("Release.cs", Release("v1")));
        fleet.Write("api-tests/Api.Tests.csproj", TestProject);
        fleet.Write("api-tests/ReleaseTests.cs", ReleaseTests);
        await fleet.RunOkAsync("start");
        var first = await fleet.ReplicaAsync("api");
        Assert.Equal("v1", await FreshHttp.TryGetStringAsync(url));
        await fleet.WatchingAsync("api");

        // An edit that breaks the unit test, its rerun held first in its build, then in its tests.
        File.WriteAllText(holdBuild, "");
        File.WriteAllText(holdTests, "");
        fleet.Write("api/Release.cs", Release("x2"));
        await Eventually.TrueAsync(async () => (await fleet.ReplicaAsync("api")).Rerun == "building", "ps to show the rerun building");
        Assert.Matches(@"(?m)^\s*api\s+0\s+\d+\s+healthy, building\s", (await fleet.RunOkAsync("ps")).Out);
        File.Delete(holdBuild);
        await Eventually.TrueAsync(async () => (await fleet.ReplicaAsync("api")).Rerun == "testing", "ps to show the rerun testing", RerunDeadline);
        Assert.Matches(@"(?m)^\s*api\s+0\s+\d+\s+healthy, testing\s", (await fleet.RunOkAsync("ps")).Out);
        Assert.Equal("v1", await FreshHttp.TryGetStringAsync(url));
        File.Delete(holdTests);

        var failed = await Eventually.ValueAsync(async () => await fleet.ReplicaAsync("api") is { TestFailures.Count: > 0 } r ? r : null,
            "ps to show the failing test", RerunDeadline);
        Assert.Collection(failed.TestFailures, f => Assert.StartsWith($"{FailingTest}: Assert.StartsWith() Failure", f, StringComparison.Ordinal));
        Assert.Empty(failed.BuildErrors);
        Assert.Null(failed.Rerun);
        Assert.Equal(first.Pid, failed.Pid);
        Assert.Equal("v1", await FreshHttp.TryGetStringAsync(url));
        var ps = (await fleet.RunOkAsync("ps")).Out;
        Assert.Matches(@"(?m)^api: the rerun after a change did not pass its unit tests, so it runs the previous build:$", ps);
        Assert.Matches($@"(?m)^  {FailingTest}: Assert\.StartsWith\(\) Failure", ps);
        var logs = (await fleet.RunOkAsync("logs", "api")).Out;
        Assert.Matches(@"(?m)^api\.orchestra ! the unit tests failed, so the previous build runs on:$", logs);
        Assert.Matches($@"(?m)^api\.orchestra ! {FailingTest}: Assert\.StartsWith\(\) Failure", logs);

        // An edit that fixes it: built, tested and served.
        fleet.Write("api/Release.cs", Release("v3"));
        await Eventually.TrueAsync(async () => await FreshHttp.TryGetStringAsync(url) == "v3", "the fixed release to be served", RerunDeadline);
        var served = await fleet.ReplacedAsync("api", first.Pid);
        Assert.Empty(served.TestFailures);
        Assert.DoesNotContain("did not pass its unit tests", (await fleet.RunOkAsync("ps")).Out, StringComparison.Ordinal);
    }
}
