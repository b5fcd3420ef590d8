using McMaster.Extensions.CommandLineUtils;
using Orchestra.Cli.Output;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli.Commands;

/// <summary><c>scale svc=N …</c>: changes the replica count of running services, behind their port proxy.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class ScaleCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command("scale", command =>
        {
            command.Description = "Change the replica count of running services: scale api=3 worker=2. New replicas are waited for until healthy.";
            var counts = command.Argument("COUNTS", "svc=N pairs.", multipleValues: true);
            handlers[command] = ct => context.RunInWorkspaceAsync("scale", async (workspace, token) =>
            {
                if (counts.Values.Count == 0)
                    throw new UsageException("Name what to scale: scale svc=N [svc=N …].");
                if (counts.Values.FirstOrDefault(v => v?.Contains('=') != true) is { } bare)
                    throw new UsageException($"'{bare}' does not say which service: write svc=N.");
                var scales = ScaleArguments.Parse(counts.Values, workspace, []);
                if (await context.Supervisor(workspace).FindRunningAsync(token) is not { } supervisor)
                    throw new CommandFailedException("Nothing runs in this workspace; start the fleet first.");
                var result = await supervisor.SendAsync(new ControlRequest { Op = ControlOp.Scale, Scales = scales, WorkspaceReadAt = workspace.ReadAt },
                    e => context.Host.Error.WriteLine($"{e.Service}: {e.Message}"), token);
                if (result.Replicas.Count > 0)
                    StatusTables.WriteStarted(result.Replicas, context.CreateConsole());
                if (result.Failure is { } failure)
                    throw new CommandFailedException(failure.Message);
                return ExitCodes.Success;
            }, ct);
        }, throwOnUnexpectedArg: false);
    }
}
