using CliWrap;

namespace Orchestra.Hooks;

/// <summary>The outcome of running a list of hooks; <see cref="FailedCommand"/> is the first that failed.</summary>
public sealed record HookResult(string? FailedCommand, int ExitCode)
{
    public static readonly HookResult Success = new(null, 0);

    public bool Succeeded => FailedCommand is null;
}

/// <summary>
/// Runs <c>before</c>/<c>after</c> hooks one after another through the platform shell (<c>/bin/sh -c</c>, or
/// <c>cmd.exe /c</c> on Windows), stopping at the first that fails.
/// </summary>
public sealed class HookRunner(string workingDirectory, IReadOnlyDictionary<string, string> environment, TextWriter output)
{
    public async Task<HookResult> RunAsync(IReadOnlyList<string> commands, CancellationToken cancellationToken)
    {
        foreach (var command in commands)
        {
            var (shell, flag) = OperatingSystem.IsWindows() ? ("cmd.exe", "/c") : ("/bin/sh", "-c");
            // Hook output goes to the caller's writer (stderr in the CLI) so that it never mixes into machine-readable output.
            var result = await Cli.Wrap(shell)
                .WithArguments([flag, command])
                .WithWorkingDirectory(workingDirectory)
                .WithEnvironmentVariables(env =>
                {
                    foreach (var (name, value) in environment)
                        env.Set(name, value);
                })
                .WithStandardOutputPipe(PipeTarget.ToDelegate(line => output.WriteLine(line)))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(line => output.WriteLine(line)))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(cancellationToken);
            if (result.ExitCode != 0)
                return new HookResult(command, result.ExitCode);
        }
        return HookResult.Success;
    }
}
