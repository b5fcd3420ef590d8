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
        eventSource.ErrorRaised += (_, e) => Add(Owner(e.File, e.ProjectFile), new BuildDiagnostic(DiagnosticSeverity.Error, e.File, e.LineNumber, e.ColumnNumber, e.Code, e.Message ?? ""));
        eventSource.WarningRaised += (_, e) => Add(Owner(e.File, e.ProjectFile), new BuildDiagnostic(DiagnosticSeverity.Warning, e.File, e.LineNumber, e.ColumnNumber, e.Code, e.Message ?? ""));
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
                .Where(d => d.Project is null || set.Contains(d.Project))
                .Select(d => d.Diagnostic)
                .Distinct()
                .OrderByDescending(d => d.Severity)
                .ToList();
        }
    }

    /// <summary>
    /// The project a diagnostic is about. The fleet's one restore runs in the project it enters through, so every
    /// NuGet error is raised there, but names the project it concerns as its file; any other diagnostic belongs to
    /// the project that raised it (a compile error in a library, to the library, and so to each service using it).
    /// </summary>
    private static string? Owner(string? file, string? project) =>
        file is not null && Path.IsPathFullyQualified(file) && Path.GetExtension(file).EndsWith("proj", StringComparison.OrdinalIgnoreCase) ? file : project;

    private void Add(string? project, BuildDiagnostic diagnostic)
    {
        lock (gate)
            diagnostics.Add((project, diagnostic));
    }
}
