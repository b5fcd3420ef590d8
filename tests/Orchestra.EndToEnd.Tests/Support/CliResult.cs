namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>The outcome of one in-process run of the CLI; its text is what an assertion message shows.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}
