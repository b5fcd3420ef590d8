namespace Orchestra.Build.Building;

/// <summary>How a service's build ended.</summary>
public enum BuildOutcome
{
    /// <summary>Its inputs match its last good build; nothing was built.</summary>
    UpToDate,
    /// <summary>Built successfully.</summary>
    Built,
    /// <summary>The build ran and failed: a compile error, a restore failure, a failing build command.</summary>
    Failed,
    /// <summary>The service could not be built as configured: its project cannot be read, is a library, or needs a framework choice.</summary>
    Invalid,
}

/// <summary>The result of one service's build, with its errors and warnings.</summary>
public sealed record ServiceBuildReport(string Service, BuildOutcome Outcome, IReadOnlyList<BuildDiagnostic> Diagnostics, string? Error = null)
{
    public bool Succeeded => Outcome is BuildOutcome.UpToDate or BuildOutcome.Built;
}

/// <summary>Hears how a fleet build goes, service by service, to show progress.</summary>
public interface IBuildProgress
{
    /// <summary>These services' projects are being evaluated.</summary>
    void Evaluating(IReadOnlyList<string> services);

    /// <summary>These services are being built (restore included).</summary>
    void Building(IReadOnlyList<string> services);

    /// <summary>A service is done, one way or another.</summary>
    void Finished(ServiceBuildReport report);
}
