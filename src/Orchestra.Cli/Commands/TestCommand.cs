using System.Text.Json;
using McMaster.Extensions.CommandLineUtils;
using Orchestra.Build.Testing;
using Orchestra.Cli.Output;
using Orchestra.State;
using Orchestra.Variables;

namespace Orchestra.Cli.Commands;

/// <summary><c>test [svc…]</c>: the selected services' unit tests, built in one MSBuild session and run in parallel.</summary>
internal static class TestCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command("test", command =>
        {
            command.Description = "Build and run the unit test projects of the selected services (default: all) in parallel; TRX reports go to .orchestra/test-results/.";
            var services = command.ServicesArgument();
            var filter = command.Option("--filter <EXPR>", "Run only the tests the expression selects, as the test framework takes it (VSTest --filter syntax for most).", CommandOptionType.SingleValue);
            var verbose = command.Option("--verbose", "Show the test runners' own output.", CommandOptionType.NoValue);
            var json = command.Option("--json", "Print the results as JSON for scripts (progress goes to standard error).", CommandOptionType.NoValue);
            var acceptance = command.Option("--acceptance", "Run the acceptance: projects of orchestra.yml against the fleet: the running one, else one started for them and stopped after.", CommandOptionType.NoValue);
            handlers[command] = ct => context.RunInWorkspaceAsync("test", async (workspace, token) =>
            {
                // With --json, standard output holds the JSON alone; the progress goes to standard error.
                var console = context.CreateConsole(json.HasValue() ? context.Host.Error : null);
                var interactive = context.Host.IsTerminal && !json.HasValue();
                var builds = new BuildProgressView(console, interactive);
                var progress = new TestProgressView(console, builds, verbose.HasValue());
                var run = new UnitTestRun(workspace, progress);
                if (!acceptance.HasValue())
                {
                    var selected = services.Selected(workspace);
                    var options = new UnitTestOptions(filter.Value(), Environment(context, workspace));
                    return Report(await builds.ShowAsync(() => run.RunAsync(selected, options, token)));
                }

                // The process runner, and so a fleet to test against, exists for Linux only so far.
                if (!OperatingSystem.IsLinux())
                    throw new UsageException("--acceptance needs a fleet, which Orchestra runs on Linux only so far.");
                if (services.Values.Count > 0)
                    throw new UsageException("--acceptance runs the acceptance projects against the whole fleet; name no services with it.");
                // Starting and stopping the fleet print on standard output, which --json keeps for the JSON alone.
                if (json.HasValue())
                    throw new UsageException("--json cannot be combined with --acceptance yet; read the TRX reports in .orchestra/test-results/ instead.");
                if (workspace.Config.Acceptance.Count == 0)
                    throw new UsageException("orchestra.yml names no acceptance projects; list them under 'acceptance:'.");
                var found = UnitTestRun.FindAcceptance(workspace);
                if (found.Error is { } error)
                    throw new UsageException(error);
                return await AcceptanceFleet.RunAsync(context, workspace, async fleetToken =>
                {
                    // Resolved once the fleet runs, so that the vendors' ports are those they were published on.
                    var vendorPorts = new VendorPortAssignments(workspace.StateDirectory).Known(workspace.Vendors);
                    var options = new UnitTestOptions(
                        filter.Value(),
                        new EnvironmentResolver(workspace, context.Host.Environment, vendorPorts).ResolveDiscovery("test"));
                    return Report(await builds.ShowAsync(() => run.RunAcceptanceAsync(found, options, fleetToken)));
                }, token);
            }, ct);

            int Report(UnitTestSummary summary)
            {
                if (json.HasValue())
                    context.Out.WriteLine(JsonSerializer.Serialize(summary, CliJson.Default.UnitTestSummary));
                else
                    TestTables.Write(summary, context.CreateConsole());
                if (summary.Services.Any(s => s.Error is not null))
                    return ExitCodes.Usage;
                return summary.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
            }
        });
    }

    /// <summary>What the unit test runners get: the workspace's <c>env</c> and <c>commands.test.env</c> over the shell's.</summary>
    public static IReadOnlyDictionary<string, string> Environment(CommandContext context, Orchestra.Discovery.Workspace workspace) =>
        new EnvironmentResolver(workspace, context.Host.Environment, VendorPortTable.Empty).ResolveShared("test");
}
