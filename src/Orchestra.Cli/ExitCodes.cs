namespace Orchestra.Cli;

/// <summary>The exit codes of SPEC §3.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The work failed: a build error, a service that never got healthy, a failing hook.</summary>
    public const int Failure = 1;
    /// <summary>Bad usage or bad configuration.</summary>
    public const int Usage = 2;
}
