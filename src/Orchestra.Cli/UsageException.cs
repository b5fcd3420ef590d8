using Orchestra.Errors;
namespace Orchestra.Cli;

/// <summary>The command line asks for something that cannot be done as asked; exit code 2.</summary>
public sealed class UsageException(string message) : OrchestraException(message, FailureKind.Usage);

/// <summary>The work of a command failed in a way already explained to the user; exit code 1.</summary>
public sealed class CommandFailedException(string message) : OrchestraException(message, FailureKind.Failure);
