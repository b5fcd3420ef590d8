using System.Runtime.Versioning;
using Orchestra.Discovery;
using Orchestra.Runtime.Processes;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Reliability;

namespace Orchestra.Supervisor;

/// <summary>
/// A command's way to the workspace's supervisor: finds the one running, starts one when needed (a detached process
/// in a session of its own, so a terminal closing or Ctrl-C does not reach it, whose output goes to
/// <c>.orchestra/supervisor.log</c>; or, for <c>start --attach</c>, one inside this process), ends one left idle, and
/// waits for one to be gone. Two clients that start one at once are safe: the supervisor lock lets one serve and
/// the other exit.
/// </summary>
/// <param name="configPath">
/// The workspace's orchestra.yml, as located: enough to find or start its supervisor, so that a command can start one
/// before it loads the workspace itself.
/// </param>
/// <param name="tool">This tool, which the supervisor runs as with its hidden <c>__supervise</c> command.</param>
/// <param name="environment">The environment of the command's shell, which a supervisor it starts runs in (with <see cref="SupervisorRuntime.Settings"/>).</param>
[SupportedOSPlatform("linux")]
public sealed class SupervisorClient(string configPath, ProcessCommand tool, IReadOnlyDictionary<string, string> environment)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _root = Path.GetDirectoryName(configPath)!;
    private readonly SupervisorPaths _paths = SupervisorPaths.ForConfig(configPath);

    /// <summary>A client of the running supervisor, or null when none runs.</summary>
    public async Task<ControlClient?> FindRunningAsync(CancellationToken cancellationToken)
    {
        var client = new ControlClient(_paths.Socket);
        return await client.IsRunningAsync(cancellationToken) ? client : null;
    }

    /// <summary>
    /// The running supervisor, also when replicas survive one that died: one is started then, and adopts them, so
    /// that what it tells is true and nothing is orphaned. Null when nothing runs at all.
    /// </summary>
    public async Task<ControlClient?> FindOrAdoptSurvivorsAsync(CancellationToken cancellationToken)
    {
        if (await FindRunningAsync(cancellationToken) is { } running)
            return running;
        return SurvivorScan.AnyAlive(_root) ? await EnsureRunningAsync(cancellationToken) : null;
    }

    /// <summary>The running supervisor, or a new one in the background once it answers.</summary>
    /// <exception cref="SupervisorUnavailableException">The supervisor did not come up; the message holds its last words.</exception>
    public async Task<ControlClient> EnsureRunningAsync(CancellationToken cancellationToken)
    {
        if (await FindRunningAsync(cancellationToken) is { } running)
            return running;
        _paths.EnsureStateDirectory();
        var host = new LinuxProcessHost();
        var command = tool.Running(SupervisorHost.CommandName, configPath);
        var process = host.Spawn(new SpawnRequest(command.Program, command.Arguments, _root, SupervisorRuntime.Environment(environment), _paths.Log, _paths.Log));

        var client = new ControlClient(_paths.Socket);
        var deadline = DateTimeOffset.UtcNow + StartTimeout;
        while (!await client.IsRunningAsync(cancellationToken))
        {
            // Ours exited: with 0 when another supervisor won the lock (and will answer soon); else it failed (a
            // workspace it could not load), and waiting for another would only delay saying so.
            if (host.CheckExit(process) is { } exit && !(exit.IsSuccess && await WaitForOtherAsync(client, cancellationToken)))
                throw new SupervisorUnavailableException($"The supervisor exited ({exit}) before it served: {LastLines(_paths.Log)}");
            if (DateTimeOffset.UtcNow > deadline)
                throw new SupervisorUnavailableException($"The supervisor did not answer within {StartTimeout.TotalSeconds:0} s: {LastLines(_paths.Log)}");
            await Task.Delay(10, cancellationToken);
        }
        return client;
    }

    /// <summary>
    /// Shuts down the supervisor <paramref name="starting"/> gives when it looks after nothing, and waits until it is
    /// gone: one started alongside a build that then failed, or for a command that failed or was stopped (Ctrl-C)
    /// before it sent anything, or left with no vendor after <c>vendors down</c>, is not left behind. A clean-up after
    /// the command: it has a deadline of its own, since the command's token may be the one that was cancelled.
    /// </summary>
    public async Task ShutDownIfIdleAsync(Task<ControlClient> starting)
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        try
        {
            var supervisor = await starting;
            var status = await supervisor.SendAsync(new ControlRequest { Op = ControlOp.Status }, _ => { }, deadline.Token);
            // Neither a process nor a vendor's container: nothing to look after.
            if (status.Replicas.All(r => r.Pid is null && r.Image is null))
            {
                await supervisor.SendAsync(new ControlRequest { Op = ControlOp.Shutdown }, _ => { }, deadline.Token);
                await WaitForEndAsync(deadline.Token);
            }
        }
        catch (SupervisorUnavailableException)
        {
            // It never came up: nothing to shut down, and why the launch failed is what the user needs to read.
        }
    }

    /// <summary>
    /// Runs the supervisor inside this process (<c>start --attach</c>), so that the fleet lives exactly as long as the
    /// command; null when one already runs the workspace in the background. Its requests go straight to it, while
    /// other commands reach it on its socket as usual.
    /// </summary>
    /// <param name="log">The supervisor's own log.</param>
    /// <exception cref="SupervisorUnavailableException">Another supervisor took the workspace's lock meanwhile.</exception>
    public async Task<AttachedSupervisor?> AttachAsync(TextWriter log, CancellationToken cancellationToken)
    {
        if (await FindRunningAsync(cancellationToken) is not null)
            return null;
        var serving = new TaskCompletionSource<IControlHandler>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = SupervisorHost.RunAsync(configPath, tool, log, stop.Token, serving.SetResult);
        if (await Task.WhenAny(serving.Task, running) == serving.Task)
            return new AttachedSupervisor(await serving.Task, running, stop);
        stop.Dispose();
        await running;
        throw new SupervisorUnavailableException("The supervisor could not start in this process: another one holds the workspace's lock.");
    }

    /// <summary>
    /// Waits until no supervisor process of the workspace is left, after it was told to shut down: it answers before it
    /// exits, and a command that returns earlier would let the next `start` meet a supervisor on its way out.
    /// </summary>
    /// <exception cref="SupervisorUnavailableException">One is still there after the timeout.</exception>
    public async Task WaitForEndAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + StartTimeout;
        while (SupervisorProcesses.Others(configPath) is [var left, ..])
        {
            if (DateTimeOffset.UtcNow > deadline)
                throw new SupervisorUnavailableException($"The supervisor (pid {left}) answered the stop but did not end within {StartTimeout.TotalSeconds:0} s.");
            await Task.Delay(20, cancellationToken);
        }
    }

    private static async Task<bool> WaitForOtherAsync(ControlClient client, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await client.IsRunningAsync(cancellationToken))
                return true;
            await Task.Delay(25, cancellationToken);
        }
        return false;
    }

    private static string LastLines(string log) =>
        File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(5)) : "it wrote nothing.";
}
