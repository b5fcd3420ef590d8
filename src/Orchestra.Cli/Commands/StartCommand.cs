using McMaster.Extensions.CommandLineUtils;
using Orchestra.Cli.Output;
using Orchestra.Discovery;
using Orchestra.Selection;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli.Commands;

/// <summary><c>start</c> and <c>restart</c>: build, then have the supervisor run the selection until it is healthy.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class StartCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        foreach (var (name, op, description) in new[]
        {
            ("start", ControlOps.Start, "Build and start the selected services (default: all, with their dependencies) and return once they are healthy."),
            ("restart", ControlOps.Restart, "Rebuild if needed and replace the replicas of the selected services."),
        })
        {
            app.Command(name, command =>
            {
                command.Description = description;
                var services = command.Argument("SERVICES", "Services, or ~name for all but name.", multipleValues: true);
                var noBuild = command.Option("--no-build", "Run what was built last; do not build.", CommandOptionType.NoValue);
                var noKill = command.Option("--no-kill-outside", "Refuse to start a service that already runs outside Orchestra, instead of stopping that copy.", CommandOptionType.NoValue);
                var follow = command.Option("-l|--logs", "Follow the logs after starting; Ctrl-C only detaches.", CommandOptionType.NoValue);
                handlers[command] = ct => context.RunInWorkspaceAsync(name, async (workspace, token) =>
                {
                    var selected = ServiceSelector.Select(workspace, services.Values.OfType<string>().ToList());
                    if (op == ControlOps.Start)
                        selected = DependencyOrder.WithDependencies(workspace, selected);
                    var code = await RunAsync(context, workspace, selected, op, !noBuild.HasValue(), !noKill.HasValue(), token);
                    if (code == ExitCodes.Success && follow.HasValue())
                        return await LogsCommand.FollowAsync(context, workspace, selected.Select(s => s.Name).ToList(), token);
                    return code;
                }, ct);
            }, throwOnUnexpectedArg: false);
        }
    }

    private static async Task<int> RunAsync(CommandContext context, Workspace workspace, IReadOnlyList<ServiceDefinition> selected, string op, bool build, bool killOutside, CancellationToken cancellationToken)
    {
        var launch = new FleetLaunch(context, workspace);
        if (await launch.PrepareAsync(selected, build, cancellationToken) is not { } specs)
            return ExitCodes.Failure;
        var supervisor = await launch.SupervisorAsync(cancellationToken);
        var request = new ControlRequest { Op = op, Services = selected.Select(s => s.Name).ToList(), Launch = specs, KillOutside = killOutside };
        var result = await supervisor.SendAsync(request, e => context.Host.Error.WriteLine($"{e.Service}: {e.Message}"), cancellationToken);

        var console = context.CreateConsole();
        if (result.Replicas.Count > 0)
            StatusTables.WriteStarted(result.Replicas, console);
        if (result.Error is null)
            return ExitCodes.Success;
        context.Host.Error.WriteLine($"error: {result.Error}");
        foreach (var replica in result.Replicas.Where(r => r.LastLines.Count > 0))
        {
            context.Host.Error.WriteLine($"The last lines of {replica.Service}.{replica.Replica}:");
            foreach (var line in replica.LastLines)
                context.Host.Error.WriteLine("  " + line);
        }
        return result.ExitCode == 0 ? ExitCodes.Failure : result.ExitCode;
    }
}
