using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
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

    /// <summary>The hidden command the supervisor runs the tool with as its build host, which rebuilds services whose files changed.</summary>
    public const string BuildHostCommandName = "__buildhost";

    /// <returns>0, also when another supervisor already holds the workspace.</returns>
    /// <param name="tool">The tool, run with its hidden <c>__buildhost</c> command to rebuild services whose files changed.</param>
    /// <param name="attached">
    /// Called with the fleet once the supervisor serves: a caller that runs it in its own process (<c>start
    /// --attach</c>) sends its requests there rather than through the socket.
    /// </param>
    public static async Task<int> RunAsync(string configPath, ProcessCommand tool, TextWriter output, CancellationToken cancellationToken, Action<IControlHandler>? attached = null)
    {
        // Tests run the restart backoff faster through a hidden setting (TestSettings); users never set it.
        var options = TestSettings.RuntimeOptions(Environment.GetEnvironmentVariable);
        using var supervisorLog = new SupervisorLog(output, options.Time);
        var log = supervisorLog.Logger;
        var workspace = WorkspaceLoader.Load(configPath);
        var paths = SupervisorPaths.For(workspace);
        paths.EnsureStateDirectory();
        // A supervisor whose folder was deleted still runs the fleet, and makes the folder again at once.
        if (SupervisorProcesses.Others(configPath) is [var other, ..])
        {
            log.AnotherSupervisorRuns(other);
            return 0;
        }
        var held = SupervisorLock.TryAcquire(paths.Lock);
        if (held is null)
        {
            log.LockHeldElsewhere(paths.Lock);
            return 0;
        }

        await using var fleet = new FleetSupervisor(new LoadedWorkspace(workspace), new LinuxProcessHost(), options, tool.Running(BuildHostCommandName, configPath), log);
        using var signalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signals = 0;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        using var trim = new IdleMemoryTrim(options.Time);
        var handler = new TrimmingHandler(fleet, trim);
        if (await fleet.AdoptSurvivorsAsync() is { } problem)
            log.Recovered(problem);
        trim.Activity();
        log.Serving(Environment.ProcessId, paths.Socket);
        attached?.Invoke(handler);

        using var serving = CancellationTokenSource.CreateLinkedTokenSource(signalled.Token, fleet.ShutdownRequested);
        using var watch = new StateFolderWatch(workspace.Root, Workspace.StateFolderName);
        // A server whose socket was deleted with the folder serves the connections it has; a new one takes new ones.
        var servers = new List<Task> { new ControlServer(paths.Socket, handler, log).RunAsync(serving.Token) };
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
                    log.StateFolderTaken();
                    handedOver = true;
                    await serving.CancelAsync();
                    break;
                }
                held = again;
                fleet.PersistState();
                servers.Add(new ControlServer(paths.Socket, handler, log).RunAsync(serving.Token));
                log.StateFolderMadeAgain(Environment.ProcessId, paths.Socket);
            }
            await Task.WhenAll(servers);

            if (!fleet.ShutdownRequested.IsCancellationRequested && !handedOver)
            {
                // Told to end by a signal rather than by `stop`: the fleet goes with it, gracefully.
                await fleet.HandleAsync(new ControlRequest { Op = ControlOp.Shutdown }, _ => Task.CompletedTask, CancellationToken.None);
            }
        }
        finally
        {
            held.Dispose();
        }
        log.Ending(Environment.ProcessId);
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            // Counted here rather than read from the token: in `start --attach` the command's own Ctrl-C handling may
            // have cancelled it already through the link, and that first Ctrl-C must still stop the fleet gracefully.
            if (Interlocked.Increment(ref signals) == 1)
            {
                log.StoppingOnSignal(context.Signal.ToString());
                signalled.Cancel();
                return;
            }
            fleet.KillAll();
            log.KilledOnSignal(context.Signal.ToString());
            Environment.Exit(130);
        }
    }
}
