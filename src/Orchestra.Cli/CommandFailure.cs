using Orchestra.Errors;

namespace Orchestra.Cli;

/// <summary>How a command's failure reaches the user: one sentence on the error output and the exit code of SPEC §3.</summary>
internal static class CommandFailure
{
    /// <summary>Every failure but a cancellation, which ends the command as its caller asked.</summary>
    public static bool Explains(Exception e) => e is not OperationCanceledException;

    /// <returns>The exit code the failure ends the command with.</returns>
    public static int Report(Exception e, TextWriter error)
    {
        switch (e)
        {
            case OrchestraException known:
                foreach (var line in known.Lines)
                    error.WriteLine($"error: {line}");
                return (int)known.Kind;
            case IOException or UnauthorizedAccessException:
                // A file Orchestra needs cannot be read or written: say which, rather than crash.
                error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failure;
            default:
                // A failure nobody foresaw is still one sentence and exit 1, never a stack trace and a crashed tool.
                error.WriteLine($"error: Orchestra failed unexpectedly ({e.GetType().Name}): {e.Message}");
                return ExitCodes.Failure;
        }
    }
}
