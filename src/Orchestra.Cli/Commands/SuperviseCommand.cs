using McMaster.Extensions.CommandLineUtils;
using Orchestra.Supervisor;

namespace Orchestra.Cli.Commands;

/// <summary>The hidden command the supervisor process runs as; <c>start</c> launches it, users never type it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SuperviseCommand
{
    public const string Name = SupervisorHost.CommandName;

    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command(Name, command =>
        {
            command.ShowInHelpText = false;
            handlers[command] = ct => SupervisorHost.RunAsync(context.ConfigPath(), ToolProcess.Current(), context.Out, ct);
        }, throwOnUnexpectedArg: false);
    }
}
