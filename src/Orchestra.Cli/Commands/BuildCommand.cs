using McMaster.Extensions.CommandLineUtils;
using Orchestra.Build.Building;
using Orchestra.Cli.Output;

namespace Orchestra.Cli.Commands;

/// <summary><c>build [svc…]</c>: builds the selected services in one MSBuild session, without running them.</summary>
internal static class BuildCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, IDictionary<CommandLineApplication, Func<CancellationToken, Task<int>>> handlers)
    {
        app.Command("build", command =>
        {
            command.Description = "Build the selected services (default: all) without running them; services whose inputs have not changed are skipped.";
            var services = command.ServicesArgument();
            handlers[command] = ct => context.RunInWorkspaceAsync("build", async (workspace, token) =>
            {
                var selected = services.Selected(workspace);
                var view = new BuildProgressView(context.CreateConsole(), context.Host.IsTerminal);
                var result = await view.ShowAsync(() => new FleetBuilder(workspace, view).BuildAsync(selected, token));
                WriteSummary(result, context.Out);
                if (result.Services.Any(s => s.Outcome == BuildOutcome.Invalid))
                    return ExitCodes.Usage;
                return result.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
            }, ct);
        });
    }

    private static void WriteSummary(FleetBuildResult result, TextWriter output)
    {
        var counts = result.Services
            .GroupBy(s => s.Outcome switch
            {
                BuildOutcome.UpToDate => "up to date",
                BuildOutcome.Built => "built",
                _ => "failed",
            })
            .Select(g => $"{g.Count()} {g.Key}");
        output.WriteLine($"{result.Services.Count} service{(result.Services.Count == 1 ? "" : "s")}: {string.Join(", ", counts)}.");
    }
}
