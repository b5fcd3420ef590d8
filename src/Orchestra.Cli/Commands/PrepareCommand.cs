using System.Text.Json;
using McMaster.Extensions.CommandLineUtils;
using Orchestra.Build.Testing;
using Orchestra.Cli.Output;
using Orchestra.Launching;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli.Commands;

/// <summary>
/// The hidden command the supervisor runs to rerun a service whose files changed: builds and evaluates it here, in a
/// process that ends afterwards, so that MSBuild never loads in the long-lived supervisor. It plans as the command
/// that launched the service did: the supervisor passes that command's options, and runs this one in its shell's
/// environment. With <c>--test</c> (the service's <c>watch.test</c>) it then builds and runs the service's unit tests
/// as <c>test</c> does, and a failing one fails the preparation. The outcome (launch specs, or the build's errors, or
/// the failing tests) goes to the file named by <c>--out</c>; standard output is the build's, with a
/// <see cref="RerunProgress"/> line as each phase begins; exit 1 when the build or the tests failed.
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
            var test = command.Option("--test", "Build and run the services' unit tests after the build; a failing one fails the preparation.", CommandOptionType.NoValue);
            var launch = LaunchArguments.Register(command);
            handlers[command] = async ct =>
            {
                // No hooks: they wrap the commands a person types, and this one runs on every save of a file.
                var workspace = Discovery.WorkspaceLoader.Load(context.ConfigPath());
                var selected = services.Selected(workspace);
                var options = launch.Options(launchedBy.Value()!, context);
                Entering(RerunPhase.Building);
                var prepared = await LaunchArguments.PlanAsync(context, workspace, selected, options, build: true, ct);
                if (prepared.Succeeded && test.HasValue())
                {
                    Entering(RerunPhase.Testing);
                    var builds = new BuildProgressView(context.CreateConsole(), interactive: false);
                    var run = new UnitTestRun(workspace, new TestProgressView(context.CreateConsole(), builds, verbose: false));
                    var summary = await run.RunAsync(selected, new UnitTestOptions(null, TestCommand.Environment(context, workspace)), ct);
                    if (!summary.Succeeded)
                        prepared = PreparedLaunch.Failed($"the unit tests of {string.Join(", ", selected.Select(s => s.Name))} did not pass.", summary.Problems(), RerunPhase.Testing);
                }
                State.StateFolder.WriteText(output.Value()!, JsonSerializer.Serialize(prepared, ControlJson.Default.PreparedLaunch));
                return prepared.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
            };
        }, throwOnUnexpectedArg: false);

        void Entering(RerunPhase phase)
        {
            context.Out.WriteLine(RerunProgress.Prefix + JsonSerializer.Serialize(new RerunProgress(phase), ControlJson.Default.RerunProgress));
            context.Out.Flush();
        }
    }
}
