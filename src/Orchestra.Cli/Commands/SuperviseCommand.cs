using Orchestra.Discovery;
using Orchestra.Supervisor;

namespace Orchestra.Cli.Commands;

/// <summary>
/// The hidden command the supervisor process runs as; <c>start</c> launches it as <c>__supervise --config FILE</c>,
/// users never type it. It is dispatched before the command-line parser is built, so the supervisor, which runs for
/// hours, never loads the parser and the other commands' types (about 1.2 MiB of its memory).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SuperviseCommand
{
    public const string Name = SupervisorHost.CommandName;

    /// <summary>Whether <paramref name="args"/> run the supervisor: the command's name first.</summary>
    public static bool IsInvoked(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken)
    {
        try
        {
            if (args is not [Name, "--config", var config])
                throw new UsageException($"'{Name}' takes '--config FILE' and nothing else.");
            var configPath = WorkspaceLocator.Locate(host.CurrentDirectory, config);
            return await SupervisorHost.RunAsync(configPath, ToolProcess.Current(), host.Out, cancellationToken);
        }
        catch (Exception e) when (CommandFailure.Explains(e))
        {
            return CommandFailure.Report(e, host.Error);
        }
    }
}
