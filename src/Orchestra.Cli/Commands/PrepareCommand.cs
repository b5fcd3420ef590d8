using System.Text.Json;
using McMaster.Extensions.CommandLineUtils;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli.Commands;

/// <summary>
/// The hidden command the supervisor runs to rerun a service whose files changed: builds and evaluates it here, in a
/// process that ends afterwards, so that MSBuild never loads in the long-lived supervisor. It plans as the command
/// that launched the service did: the supervisor passes that command's options, and runs this one in its shell's
/// environment. The outcome (launch specs, or the build's errors) goes to the file named by <c>--out</c> (standard
/// output is the build's); exit 1 when the build failed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class PrepareCommand
{
    public const string Name = SupervisorHost.PrepareCommandName;

    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command(Name, command =>
        {
            command.ShowInHelpText = false;
            var services = command.ServicesArgument();
            var output = command.Option("--out", "Where to write the launch specs.", CommandOptionType.SingleValue).IsRequired();
            var launchedBy = command.Option("--for", "The command that launched the services.", CommandOptionType.SingleValue).IsRequired();
            var launch = LaunchArguments.Register(command);
            handlers[command] = async ct =>
            {
                // No hooks: they wrap the commands a person types, and this one runs on every save of a file.
                var workspace = Discovery.WorkspaceLoader.Load(context.ConfigPath());
                var options = launch.Options(launchedBy.Value()!, context);
                var prepared = await LaunchArguments.PlanAsync(context, workspace, services.Selected(workspace), options, build: true, ct);
                State.StateFolder.WriteText(output.Value()!, JsonSerializer.Serialize(prepared, ControlJson.Default.PreparedLaunch));
                return prepared.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
            };
        }, throwOnUnexpectedArg: false);
    }
}
