using Microsoft.Build.Framework;

namespace Orchestra.Build.Building;

/// <summary>
/// An MSBuild logger that keeps every error and warning with the project it was raised in, so that each can be
/// shown under the services whose build includes that project. Out-of-process nodes forward their events to it.
/// </summary>
internal sealed class DiagnosticCollector : ILogger
{
    private readonly Lock gate = new();
    private readonly List<(string? Project, BuildDiagnostic Diagnostic)> diagnostics = [];

    public LoggerVerbosity Verbosity { get; set; } = LoggerVerbosity.Minimal;

    public string? Parameters { get; set; }

    public void Initialize(IEventSource eventSource)
    {
        eventSource.ErrorRaised += (_, e) => Add(e.ProjectFile, new BuildDiagnostic(DiagnosticSeverity.Error, e.File, e.LineNumber, e.ColumnNumber, e.Code, e.Message ?? ""));
        eventSource.WarningRaised += (_, e) => Add(e.ProjectFile, new BuildDiagnostic(DiagnosticSeverity.Warning, e.File, e.LineNumber, e.ColumnNumber, e.Code, e.Message ?? ""));
    }

    public void Shutdown()
    {
    }

    /// <summary>
    /// The distinct diagnostics raised in any of <paramref name="projects"/>, errors first; a diagnostic with no
    /// project (a failure of MSBuild itself) counts for every service.
    /// </summary>
    public IReadOnlyList<BuildDiagnostic> For(IEnumerable<string> projects)
    {
        var set = projects.ToHashSet(StringComparer.Ordinal);
        lock (gate)
        {
            return diagnostics
                .Where(d => d.Project is null || set.Contains(d.Project) || (d.Diagnostic.File is { } file && set.Contains(file)))
                .Select(d => d.Diagnostic)
                .Distinct()
                .OrderByDescending(d => d.Severity)
                .ToList();
        }
    }

    private void Add(string? project, BuildDiagnostic diagnostic)
    {
        lock (gate)
            diagnostics.Add((project, diagnostic));
    }
}
