using Orchestra.Cli;

namespace Orchestra.Tests.Support;

/// <summary>The outcome of one in-process run of the CLI.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>Runs the real CLI in-process with its own writers, folder and environment.</summary>
public static class CliRun
{
    public static async Task<CliResult> RunAsync(string directory, params string[] args) =>
        await RunAsync(directory, new Dictionary<string, string>(), terminal: false, args);

    public static async Task<CliResult> RunAsync(string directory, IReadOnlyDictionary<string, string> environment, bool terminal, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost(output, error, directory, environment, terminal);
        var code = await OrchestraCli.RunAsync(args, host);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
