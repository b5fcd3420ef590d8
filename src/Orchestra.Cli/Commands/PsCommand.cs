using System.Text.Json;
using McMaster.Extensions.CommandLineUtils;
using Orchestra.Cli.Output;
using Orchestra.Discovery;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli.Commands;

/// <summary><c>ps</c> and <c>stop</c>: the supervisor's clients that need no build.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class PsCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command("ps", command =>
        {
            command.Description = "Show every replica: pid, state, port, uptime, restarts, CPU and memory.";
            var services = command.ServicesArgument();
            var json = command.Option("--json", "Print JSON for scripts.", CommandOptionType.NoValue);
            handlers[command] = ct => context.RunInWorkspaceAsync("ps", async (workspace, token) =>
            {
                // None named: everything the supervisor has, the vendors too.
                var selected = services.Values.Count == 0 ? [] : Names(workspace, services);
                var status = await context.Supervisor(workspace).FindOrAdoptSurvivorsAsync(token) is { } supervisor
                    ? await supervisor.SendAsync(new ControlRequest { Op = ControlOp.Status, Services = selected }, _ => { }, token)
                    : new ControlEvent();
                if (status.Message is { } note)
                    context.Host.Error.WriteLine($"note: {note}");
                var replicas = status.Replicas;
                if (json.HasValue())
                {
                    context.Out.WriteLine(JsonSerializer.Serialize(replicas.ToList(), CliJson.Default.ListReplicaStatus));
                    return ExitCodes.Success;
                }
                if (replicas.Count > 0)
                    StatusTables.WritePs(replicas, DateTimeOffset.UtcNow, context.CreateConsole());
                // Vendors outlive the supervisor (`stop` leaves them running): without one, Docker tells what runs.
                else if (await VendorsCommand.UnsupervisedAsync(context, workspace, token) is { Count: > 0 } containers)
                    StatusTables.WriteVendors(containers, [], DateTimeOffset.UtcNow, context.CreateConsole());
                else
                    context.Out.WriteLine("Nothing runs in this workspace.");
                return ExitCodes.Success;
            }, ct);
        }, throwOnUnexpectedArg: false);

        app.Command("stop", command =>
        {
            command.Description = "Stop the selected services gracefully; with none named, stop everything and the supervisor. Vendors keep running unless --vendors.";
            var services = command.ServicesArgument();
            var vendors = command.Option("--vendors", "Also stop and remove the vendors' containers (their named volumes are kept).", CommandOptionType.NoValue);
            handlers[command] = ct => context.RunInWorkspaceAsync("stop", async (workspace, token) =>
            {
                // Named before anything is asked of a supervisor, so that a typo is an error whether or not one runs.
                var request = services.Values.Count == 0
                    ? new ControlRequest { Op = ControlOp.Shutdown }
                    : new ControlRequest { Op = ControlOp.Stop, Services = Names(workspace, services) };
                if (!await StopAsync(context, workspace, request, token) && !vendors.HasValue())
                    context.Out.WriteLine("Nothing runs in this workspace.");
                // The services first: they use the vendors until they end.
                if (vendors.HasValue() && workspace.Vendors.Count > 0)
                    await VendorsCommand.DownAsync(context, workspace, [.. workspace.Vendors.Select(v => v.Name)], volumes: false, token);
                return ExitCodes.Success;
            }, ct);
        }, throwOnUnexpectedArg: false);
    }

    /// <summary>
    /// Sends <paramref name="request"/> (a stop, or the shutdown of everything and the supervisor) to the workspace's
    /// supervisor, if one runs; false when none does. The vendors are left running.
    /// </summary>
    public static async Task<bool> StopAsync(CommandContext context, Workspace workspace, ControlRequest request, CancellationToken cancellationToken)
    {
        var supervisors = context.Supervisor(workspace);
        var supervisor = await supervisors.FindOrAdoptSurvivorsAsync(cancellationToken);
        if (supervisor is not null)
        {
            var result = await supervisor.SendAsync(request, e => context.Out.WriteLine($"{e.Service}: {e.Message}"), cancellationToken);
            if (result.Failure is { } failure)
                throw new CommandFailedException(failure.Message);
            if (request.Op == ControlOp.Shutdown)
                await supervisors.WaitForEndAsync(cancellationToken);
        }
        if (request.Op == ControlOp.Shutdown)
            await VendorsCommand.RemoveLeftReplicasAsync(context, workspace, cancellationToken);
        return supervisor is not null;
    }

    private static List<string> Names(Workspace workspace, CommandArgument services) =>
        services.Selected(workspace).Select(s => s.Name).ToList();
}
