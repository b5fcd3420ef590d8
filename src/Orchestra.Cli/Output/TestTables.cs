using System.Globalization;
using Orchestra.Build.Testing;
using Spectre.Console;

namespace Orchestra.Cli.Output;

/// <summary>The end of a <c>test</c> run: the table of projects, then each failed test, and why any project failed without one.</summary>
internal static class TestTables
{
    private const int MessageLines = 10;

    public static void Write(UnitTestSummary summary, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("SERVICE", "PROJECT", "PASSED", "FAILED", "SKIPPED", "DURATION", "RESULT");
        foreach (var service in summary.Services)
        {
            if (service.Error is not null)
                table.AddRow(Markup.Escape(service.Service), "-", "-", "-", "-", "-", "[red]not evaluated[/]");
            else if (service.Projects.Count == 0)
                table.AddRow(Markup.Escape(service.Service), "[grey]no test projects[/]", "-", "-", "-", "-", "-");
            foreach (var result in summary.Projects.Where(p => p.Service == service.Service))
            {
                var ran = result.Outcome is TestOutcome.Passed or TestOutcome.Failed || result.ResultsFile is not null;
                table.AddRow(
                    Markup.Escape(result.Service),
                    Markup.Escape(result.Project),
                    ran ? Number(result.Counts.Passed) : "-",
                    ran ? Number(result.Counts.Failed) : "-",
                    ran ? Number(result.Counts.Skipped) : "-",
                    result.Outcome == TestOutcome.BuildFailed ? "-" : Seconds(result.Duration),
                    Result(result.Outcome));
            }
        }
        console.Write(table);

        foreach (var service in summary.Services.Where(s => s.Error is not null))
            console.MarkupLine($"[red]{Markup.Escape(service.Service)}[/]: {Markup.Escape(service.Error!)}");
        foreach (var result in summary.Projects)
        {
            foreach (var failure in result.Failures)
            {
                console.MarkupLine($"[red]failed[/] [bold]{Markup.Escape(failure.Name)}[/] ({Markup.Escape(result.Service)}/{Markup.Escape(result.Project)})");
                foreach (var line in failure.Message.Split('\n').Take(MessageLines))
                    console.WriteLine("  " + line.TrimEnd('\r'));
                foreach (var line in failure.Stack)
                    console.MarkupLine($"    [grey]{Markup.Escape(line)}[/]");
            }
            if (result.Error is not null)
            {
                console.MarkupLine($"[red]{Markup.Escape(result.Error)}[/]");
                foreach (var line in result.Details)
                    console.WriteLine("  " + line);
            }
        }
        var total = new TestCounts(
            summary.Projects.Sum(p => p.Counts.Passed), summary.Projects.Sum(p => p.Counts.Failed), summary.Projects.Sum(p => p.Counts.Skipped));
        var projects = summary.Projects.Count;
        console.WriteLine($"{projects} test project{(projects == 1 ? "" : "s")}: {Counts(total)}.");
    }

    public static string Counts(TestCounts counts) => $"{counts.Passed} passed, {counts.Failed} failed, {counts.Skipped} skipped";

    public static string Seconds(TimeSpan duration) => $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Result(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Passed => "[green]passed[/]",
        TestOutcome.Failed => "[red]failed[/]",
        TestOutcome.BuildFailed => "[red]did not build[/]",
        _ => "[red]runner failed[/]",
    };
}
