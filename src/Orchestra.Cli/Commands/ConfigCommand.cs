using McMaster.Extensions.CommandLineUtils;
using Orchestra.Cli.Output;
using Orchestra.Discovery;
using Orchestra.State;

namespace Orchestra.Cli.Commands;

/// <summary><c>config</c>: the resolved configuration, as tables or JSON.</summary>
internal static class ConfigCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command("config", command =>
        {
            command.Description = "Print the resolved configuration: services, kinds, ports, dependencies and vendors.";
            var json = command.Option("--json", "Print JSON for scripts.", CommandOptionType.NoValue);
            handlers[command] = ct => context.RunInWorkspaceAsync("config", (workspace, _) =>
            {
                var vendorPorts = new VendorPortAssignments(workspace.StateDirectory).Known(workspace.Vendors);
                if (json.HasValue())
                    ConfigJsonWriter.Write(workspace, vendorPorts, context.Out);
                else
                    ConfigTables.Write(workspace, vendorPorts, context.CreateConsole());
                return Task.FromResult(ExitCodes.Success);
            }, ct);
        }, throwOnUnexpectedArg: false);
    }
}
