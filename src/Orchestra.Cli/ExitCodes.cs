using Orchestra.Errors;

namespace Orchestra.Cli;

/// <summary>The exit codes of SPEC §3; a failure's code is its <see cref="FailureKind"/>, the one definition of both.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The work failed: a build error, a service that never got healthy, a failing hook.</summary>
    public const int Failure = (int)FailureKind.Failure;
    /// <summary>Bad usage or bad configuration.</summary>
    public const int Usage = (int)FailureKind.Usage;
}
