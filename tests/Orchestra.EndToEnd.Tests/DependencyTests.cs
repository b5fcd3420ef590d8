using System.Globalization;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>Issue 4, acceptance 4: <c>depends_on</c> order, and a dependency that never gets healthy.</summary>
public sealed class DependencyTests
{
    /// <summary>Announces its start, takes a while to get ready, announces that, then idles; times are its own.</summary>
    private static string SlowStarter(string name) => $$"""
        import time
        print(f"{{name}} started at {time.time():.3f}")
        time.sleep(0.5)
        print(f"{{name}} ready at {time.time():.3f}")
        while True:
            time.sleep(1)
        """;

    [Fact]
    public async Task Services_start_only_once_their_dependencies_are_healthy()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("db", SlowStarter("db"), "health: { log: \"db ready\" }\n");
        fleet.PythonService("api", SlowStarter("api"), "health: { log: \"api ready\" }\ndepends_on: [db]\n");
        fleet.PythonService("web", SlowStarter("web"), "health: { log: \"web ready\" }\ndepends_on: [api, db]\n");
        fleet.PythonService("unrelated", SlowStarter("unrelated"), "health: { log: \"unrelated ready\" }\n");

        // Naming web alone brings its dependencies along, and nothing else.
        var start = await fleet.RunOkAsync("start", "web");
        Assert.Equal(["api", "db", "web"], (await fleet.PsAsync()).Select(r => r.Service));

        var db = Times(fleet, "db");
        var api = Times(fleet, "api");
        var web = Times(fleet, "web");
        Assert.True(api.Started >= db.Ready, $"api started at {api.Started} before db was ready at {db.Ready}");
        Assert.True(web.Started >= api.Ready, $"web started at {web.Started} before api was ready at {api.Ready}");

        // The progress start printed tells the same story.
        var progress = start.Error.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.True(progress.IndexOf("db: healthy") is var dbHealthy and >= 0 && dbHealthy < progress.IndexOf("api: starting"), start.ToString());
        Assert.True(progress.IndexOf("api: healthy") is var apiHealthy and >= 0 && apiHealthy < progress.IndexOf("web: starting"), start.ToString());
    }

    [Fact]
    public async Task A_dependency_that_never_gets_healthy_fails_start_and_is_named()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("db", """
            import time
            print("db is warming up")
            while True:
                time.sleep(1)
            """, "health: { log: \"accepting connections\", timeout: 2s }\n");
        fleet.PythonService("app", SlowStarter("app"), "depends_on: [db]\n");

        var start = await fleet.RunAsync("start");

        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.Contains("error: Service 'db' did not become healthy", start.Error);
        Assert.Contains("Not started: app.", start.Error);
        Assert.Contains("The last lines of db.0:", start.Error);
        Assert.Contains("  db is warming up", start.Error);
        Assert.DoesNotContain(await fleet.PsAsync(), r => r.Service == "app");
        Assert.False(File.Exists(fleet.LogFile("app")), "app was started although db never got healthy");
    }

    private static (double Started, double Ready) Times(TestFleet fleet, string service)
    {
        var lines = fleet.LogLines(service);
        double At(string prefix) => double.Parse(lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..], CultureInfo.InvariantCulture);
        return (At($"{service} started at "), At($"{service} ready at "));
    }
}
