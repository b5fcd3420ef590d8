using Orchestra.Build.Building;
using Spectre.Console;

namespace Orchestra.Cli.Output;

/// <summary>
/// Shows a fleet build: a line per service as it finishes, with its errors and warnings in MSBuild's
/// <c>file(line,col): error CODE: message</c> form, and on a terminal a spinner naming what is still building.
/// </summary>
internal sealed class BuildProgressView(IAnsiConsole console, bool interactive) : IBuildProgress
{
    private readonly Lock gate = new();
    private readonly SortedSet<string> running = new(StringComparer.Ordinal);
    private StatusContext? status;

    /// <summary>Runs <paramref name="build"/> under a live status line on a terminal, plainly otherwise.</summary>
    public Task<T> ShowAsync<T>(Func<Task<T>> build) =>
        interactive
            ? console.Status().Spinner(Spinner.Known.Dots).StartAsync("Looking at the services…", ctx =>
            {
                status = ctx;
                return build();
            })
            : build();

    public void Evaluating(IReadOnlyList<string> services) => Update("Evaluating", services);

    public void Building(IReadOnlyList<string> services) => Update("Building", services);

    public void Finished(ServiceBuildReport report)
    {
        lock (gate)
        {
            running.Remove(report.Service);
            var (word, colour) = report.Outcome switch
            {
                BuildOutcome.UpToDate => ("up to date", "grey"),
                BuildOutcome.Built => ("built", "green"),
                _ => ("failed", "red"),
            };
            var line = report.Error is null ? word : $"{word}: {report.Error}";
            console.MarkupLine($"[bold]{Markup.Escape(report.Service)}[/]: [{colour}]{Markup.Escape(line)}[/]");
            foreach (var diagnostic in report.Diagnostics)
                console.MarkupLine($"  [{(diagnostic.Severity == DiagnosticSeverity.Error ? "red" : "yellow")}]{Markup.Escape(diagnostic.ToString())}[/]");
            ShowRunning("Building");
        }
    }

    /// <summary>Replaces the live status line's text, on a terminal.</summary>
    public void ShowStatus(string text)
    {
        lock (gate)
            status?.Status(Markup.Escape(text));
    }

    private void Update(string verb, IReadOnlyList<string> services)
    {
        lock (gate)
        {
            running.UnionWith(services);
            ShowRunning(verb);
        }
    }

    private void ShowRunning(string verb)
    {
        if (status is not null)
            status.Status(Markup.Escape(running.Count > 0 ? $"{verb} {string.Join(", ", running)}…" : "Finishing…"));
    }
}
