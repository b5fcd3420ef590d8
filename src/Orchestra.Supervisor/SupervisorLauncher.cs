using System.Collections;
using System.Runtime.Versioning;
using Orchestra.Discovery;
using Orchestra.Runtime.Processes;
using Orchestra.Supervisor.Control;

namespace Orchestra.Supervisor;


/// <summary>
/// Gives a client the workspace's supervisor, starting one when none answers: a detached process in a session of
/// its own (so a terminal closing or Ctrl-C does not reach it), whose output goes to <c>.orchestra/supervisor.log</c>.
/// Two clients that start one at once are safe: the supervisor lock lets one serve and the other exit.
/// </summary>
[SupportedOSPlatform("linux")]
public static class SupervisorLauncher
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A client of the running supervisor, or null when none runs.</summary>
    public static async Task<ControlClient?> FindRunningAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        var client = new ControlClient(SupervisorPaths.For(workspace).Socket);
        return await client.IsRunningAsync(cancellationToken) ? client : null;
    }

    /// <exception cref="SupervisorUnavailableException">The supervisor did not come up; the message holds its last words.</exception>
    public static async Task<ControlClient> EnsureRunningAsync(Workspace workspace, ProcessCommand command, CancellationToken cancellationToken)
    {
        if (await FindRunningAsync(workspace, cancellationToken) is { } running)
            return running;
        var paths = SupervisorPaths.For(workspace);
        paths.EnsureStateDirectory();
        var host = new LinuxProcessHost();
        var process = host.Spawn(new SpawnRequest(command.Program, command.Arguments, workspace.Root, CurrentEnvironment(), paths.Log, paths.Log));

        var client = new ControlClient(paths.Socket);
        var deadline = DateTimeOffset.UtcNow + StartTimeout;
        while (!await client.IsRunningAsync(cancellationToken))
        {
            // Ours exited: either another supervisor won the lock (and will answer soon) or it failed.
            if (host.CheckExit(process) is { } exit && !await WaitForOtherAsync(client, cancellationToken))
                throw new SupervisorUnavailableException($"The supervisor exited ({exit}) before it served: {LastLines(paths.Log)}");
            if (DateTimeOffset.UtcNow > deadline)
                throw new SupervisorUnavailableException($"The supervisor did not answer within {StartTimeout.TotalSeconds:0} s: {LastLines(paths.Log)}");
            await Task.Delay(10, cancellationToken);
        }
        return client;
    }

    /// <summary>
    /// Waits until no supervisor process of the workspace is left, after it was told to shut down: it answers before it
    /// exits, and a command that returns earlier would let the next `start` meet a supervisor on its way out.
    /// </summary>
    /// <exception cref="SupervisorUnavailableException">One is still there after the timeout.</exception>
    public static async Task WaitForEndAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + StartTimeout;
        while (Reliability.SupervisorProcesses.Others(workspace.Config.FilePath) is [var left, ..])
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

    private static Dictionary<string, string> CurrentEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        return result;
    }
}
