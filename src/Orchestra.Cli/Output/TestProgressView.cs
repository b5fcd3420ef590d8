using Orchestra.Build.Building;
using Orchestra.Build.Testing;
using Spectre.Console;

namespace Orchestra.Cli.Output;

/// <summary>
/// Shows a <c>test</c> run: the builds as <c>build</c> shows them, then a line per test project as it finishes, the
/// runners' own output with <c>--verbose</c>, and on a terminal a status line naming what still runs.
/// </summary>
internal sealed class TestProgressView(IAnsiConsole console, BuildProgressView builds, bool verbose) : ITestProgress
{
    private readonly Lock gate = new();
    private readonly SortedSet<string> running = new(StringComparer.Ordinal);

    public void Evaluating(IReadOnlyList<string> services) => builds.Evaluating(services);

    public void Building(IReadOnlyList<string> services) => builds.Building(services);

    public void Finished(ServiceBuildReport report) => builds.Finished(report);

    public void Testing(TestTarget target)
    {
        lock (gate)
        {
            running.Add(target.ToString());
            ShowRunning();
        }
    }

    public void Output(string runner, string line)
    {
        if (verbose)
            console.MarkupLine($"[grey]{Markup.Escape(runner)} |[/] {Markup.Escape(line)}");
    }

    public void Tested(TestProjectResult result)
    {
        lock (gate)
        {
            var name = $"{result.Service}/{result.Project}";
            running.Remove(name);
            var colour = result.Outcome == TestOutcome.Passed ? "green" : "red";
            var what = result.Outcome switch
            {
                TestOutcome.BuildFailed => "did not build",
                TestOutcome.Crashed => "runner failed",
                _ => $"{TestTables.Counts(result.Counts)} in {TestTables.Seconds(result.Duration)}",
            };
            console.MarkupLine($"[bold]{Markup.Escape(name)}[/]: [{colour}]{Markup.Escape(what)}[/]");
            ShowRunning();
        }
    }

    private void ShowRunning() =>
        builds.ShowStatus(running.Count > 0 ? $"Testing {string.Join(", ", running)}…" : "Finishing…");
}
