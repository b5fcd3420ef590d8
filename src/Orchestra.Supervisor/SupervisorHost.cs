using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Orchestra.Discovery;
using Orchestra.Runtime.Processes;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Fleet;
using Orchestra.Supervisor.Reliability;

namespace Orchestra.Supervisor;

/// <summary>
/// The supervisor process of a workspace: takes the lock, adopts what a previous supervisor left running, and
/// serves the control API until asked to shut down. SIGTERM or SIGINT stop the fleet first, and a second one
/// kills it at once (the Ctrl-C, Ctrl-C of <c>start --attach</c>); a <c>kill -9</c> leaves the replicas running
/// for the next supervisor to adopt. There is one supervisor per workspace, also when its state folder is deleted
/// under it: it makes the folder again (lock, socket, state), and a new supervisor that finds it alive leaves.
/// </summary>
[SupportedOSPlatform("linux")]
public static class SupervisorHost
{
    /// <summary>The hidden command the supervisor process runs as; its command line is how another supervisor finds it.</summary>
    public const string CommandName = "__supervise";

    /// <returns>0, also when another supervisor already holds the workspace.</returns>
    /// <param name="prepare">How to run the tool's hidden <c>__prepare</c> command, which rebuilds a service whose files changed.</param>
    public static async Task<int> RunAsync(string configPath, ProcessCommand prepare, TextWriter log, CancellationToken cancellationToken)
    {
        var workspace = WorkspaceLoader.Load(configPath);
        var paths = SupervisorPaths.For(workspace);
        paths.EnsureStateDirectory();
        // A supervisor whose folder was deleted still runs the fleet, and makes the folder again at once.
        if (SupervisorProcesses.Others(configPath) is [var other, ..])
        {
            log.WriteLine($"{DateTimeOffset.UtcNow:O} supervisor {other} runs this workspace; this one exits.");
            return 0;
        }
        var held = SupervisorLock.TryAcquire(paths.Lock);
        if (held is null)
        {
            log.WriteLine($"{DateTimeOffset.UtcNow:O} another supervisor holds {paths.Lock}; this one exits.");
            return 0;
        }

        await using var fleet = new FleetSupervisor(configPath, new LinuxProcessHost(), TestSettings.RuntimeOptions(Environment.GetEnvironmentVariable), prepare, log);
        using var signalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        if (await fleet.AdoptSurvivorsAsync() is { } problem)
            log.WriteLine($"{DateTimeOffset.UtcNow:O} {problem}");
        log.WriteLine($"{DateTimeOffset.UtcNow:O} supervisor {Environment.ProcessId} serves {paths.Socket}");

        using var serving = CancellationTokenSource.CreateLinkedTokenSource(signalled.Token, fleet.ShutdownRequested);
        using var watch = new StateFolderWatch(workspace.Root, Workspace.StateFolderName);
        // A server whose socket was deleted with the folder serves the connections it has; a new one takes new ones.
        var servers = new List<Task> { new ControlServer(paths.Socket, fleet).RunAsync(serving.Token) };
        var handedOver = false;
        try
        {
            while (true)
            {
                try
                {
                    await watch.WaitAsync(serving.Token);
                }
                catch (OperationCanceledException) when (serving.IsCancellationRequested)
                {
                    break;
                }
                held.Dispose();
                paths.EnsureStateDirectory();
                if (SupervisorLock.TryAcquire(paths.Lock) is not { } again)
                {
                    log.WriteLine($"{DateTimeOffset.UtcNow:O} the state folder was deleted and another supervisor took it; this one leaves the fleet to it.");
                    handedOver = true;
                    await serving.CancelAsync();
                    break;
                }
                held = again;
                fleet.PersistState();
                servers.Add(new ControlServer(paths.Socket, fleet).RunAsync(serving.Token));
                log.WriteLine($"{DateTimeOffset.UtcNow:O} the state folder was deleted; supervisor {Environment.ProcessId} made it again and serves {paths.Socket}");
            }
            await Task.WhenAll(servers);

            if (!fleet.ShutdownRequested.IsCancellationRequested && !handedOver)
            {
                // Told to end by a signal rather than by `stop`: the fleet goes with it, gracefully.
                await fleet.HandleAsync(new ControlRequest { Op = ControlOps.Shutdown }, _ => Task.CompletedTask, CancellationToken.None);
            }
        }
        finally
        {
            held.Dispose();
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
