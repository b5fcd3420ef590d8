namespace Orchestra.Errors;

/// <summary>The exit codes of SPEC §3 that a failure can carry.</summary>
public enum FailureKind
{
    /// <summary>The work failed: a build error, a service that never got healthy, a state folder it may not use. Exit code 1.</summary>
    Failure = 1,
    /// <summary>Bad usage or bad configuration. Exit code 2.</summary>
    Usage = 2,
}

/// <summary>
/// Every error Orchestra reports to the user derives from this: it carries its exit code, and its message is the
/// sentence (or, for a configuration, the located lines) the user reads. The CLI needs to know no type by name.
/// </summary>
public abstract class OrchestraException(string message, FailureKind kind) : Exception(message)
{
    public FailureKind Kind { get; } = kind;

    /// <summary>The lines to print, each after <c>error: </c>.</summary>
    public virtual IEnumerable<string> Lines => [Message];
}
