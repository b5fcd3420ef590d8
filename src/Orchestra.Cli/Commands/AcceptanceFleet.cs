using Orchestra.Discovery;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli.Commands;

/// <summary>
/// The fleet of <c>test --acceptance</c>: the one that runs, left running; or one started for the tests and stopped
/// after them, whatever their outcome, a Ctrl-C included. Vendors it brought up stay, as after <c>stop</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class AcceptanceFleet
{
    /// <summary>How long the stop after the tests may take: it runs after a Ctrl-C too, so not under the command's token.</summary>
    private static readonly TimeSpan StopDeadline = TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="tests"/> against the fleet, and returns their exit code, or the failed start's.</summary>
    public static async Task<int> RunAsync(CommandContext context, Workspace workspace, Func<CancellationToken, Task<int>> tests, CancellationToken cancellationToken)
    {
        var supervisor = await context.Supervisor(workspace).FindRunningAsync(cancellationToken);
        var running = supervisor is null ? [] : (await supervisor.SendAsync(new ControlRequest { Op = ControlOp.Status }, _ => { }, cancellationToken)).Replicas;
        if (running.Any(r => workspace.Services.Any(s => s.Name == r.Service)))
            return await tests(cancellationToken);

        // A supervisor already there (idle, or with vendors alone) is kept: only the services this starts are stopped.
        var stop = supervisor is null
            ? new ControlRequest { Op = ControlOp.Shutdown }
            : new ControlRequest { Op = ControlOp.Stop, Services = workspace.Services.Select(s => s.Name).ToList() };
        try
        {
            var started = await StartCommand.StartFleetAsync(context, workspace, cancellationToken);
            return started == ExitCodes.Success ? await tests(cancellationToken) : started;
        }
        finally
        {
            using var stopping = new CancellationTokenSource(StopDeadline);
            await PsCommand.StopAsync(context, workspace, stop, stopping.Token);
        }
    }
}
