using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Orchestra.Discovery;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Fleet;

namespace Orchestra.Supervisor;

/// <summary>
/// The supervisor process of a workspace: takes the lock, adopts what a previous supervisor left running, and
/// serves the control API until asked to shut down. SIGTERM or SIGINT stop the fleet first, and a second one
/// kills it at once (the Ctrl-C, Ctrl-C of <c>start --attach</c>); a <c>kill -9</c> leaves the replicas running
/// for the next supervisor to adopt.
/// </summary>
[SupportedOSPlatform("linux")]
public static class SupervisorHost
{
    /// <returns>0, also when another supervisor already holds the workspace.</returns>
    /// <param name="prepare">How to run the tool's hidden <c>__prepare</c> command, which rebuilds a service whose files changed.</param>
    public static async Task<int> RunAsync(string configPath, ProcessCommand prepare, TextWriter log, CancellationToken cancellationToken)
    {
        var workspace = WorkspaceLoader.Load(configPath);
        var paths = SupervisorPaths.For(workspace);
        paths.EnsureStateDirectory();
        using var held = SupervisorLock.TryAcquire(paths.Lock);
        if (held is null)
        {
            log.WriteLine($"{DateTimeOffset.UtcNow:O} another supervisor holds {paths.Lock}; this one exits.");
            return 0;
        }

        await using var fleet = new FleetSupervisor(configPath, new LinuxProcessHost(), new RuntimeOptions(), prepare, log);
        using var signalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        if (await fleet.AdoptSurvivorsAsync() is { } problem)
            log.WriteLine($"{DateTimeOffset.UtcNow:O} {problem}");
        log.WriteLine($"{DateTimeOffset.UtcNow:O} supervisor {Environment.ProcessId} serves {paths.Socket}");

        using var serving = CancellationTokenSource.CreateLinkedTokenSource(signalled.Token, fleet.ShutdownRequested);
        await new ControlServer(paths.Socket, fleet).RunAsync(serving.Token);

        if (!fleet.ShutdownRequested.IsCancellationRequested)
        {
            // Told to end by a signal rather than by `stop`: the fleet goes with it, gracefully.
            await fleet.HandleAsync(new ControlRequest { Op = ControlOps.Shutdown }, _ => Task.CompletedTask, CancellationToken.None);
        }
        log.WriteLine($"{DateTimeOffset.UtcNow:O} supervisor {Environment.ProcessId} ends");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!signalled.IsCancellationRequested)
            {
                log.WriteLine($"{DateTimeOffset.UtcNow:O} {context.Signal}: stopping the fleet (again to kill it)");
                signalled.Cancel();
                return;
            }
            fleet.KillAll();
            log.WriteLine($"{DateTimeOffset.UtcNow:O} {context.Signal} again: killed the fleet");
            Environment.Exit(130);
        }
    }
}
