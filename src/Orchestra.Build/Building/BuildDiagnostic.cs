namespace Orchestra.Build.Building;

/// <summary>Whether a diagnostic fails the build.</summary>
public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>An error or warning of a build, where it was found.</summary>
public sealed record BuildDiagnostic(DiagnosticSeverity Severity, string? File, int Line, int Column, string? Code, string Message)
{
    /// <summary>The canonical MSBuild form editors and CI parse: <c>file(line,col): error CS1002: message</c>.</summary>
    public override string ToString()
    {
        var kind = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var code = string.IsNullOrEmpty(Code) ? "" : $" {Code}";
        var at = string.IsNullOrEmpty(File) ? "" : Line > 0 ? $"{File}({Line},{Math.Max(Column, 1)}): " : $"{File}: ";
        return $"{at}{kind}{code}: {Message}";
    }
}
