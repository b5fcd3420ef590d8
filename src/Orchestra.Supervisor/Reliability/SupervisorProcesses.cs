using System.Runtime.Versioning;
using Orchestra.Runtime.Processes;
using Orchestra.State;

namespace Orchestra.Supervisor.Reliability;

/// <summary>The live supervisors of a workspace other than this process, found in /proc by their command line.</summary>
[SupportedOSPlatform("linux")]
public static class SupervisorProcesses
{
    /// <summary>
    /// Processes of this user that run <c>__supervise --config <paramref name="configPath"/></c>: a supervisor whose
    /// state folder was deleted still runs the fleet even though its lock file is gone.
    /// </summary>
    public static IReadOnlyList<int> Others(string configPath)
    {
        var self = Environment.ProcessId;
        var user = CurrentUser.Id;
        return ProcFs.Pids()
            .Where(pid => pid != self && ProcFs.RunsAs(pid, user) && Runs(ProcFs.CommandLine(pid), configPath))
            .ToList();
    }

    private static bool Runs(IReadOnlyList<string> arguments, string configPath)
    {
        var verb = arguments.ToList().IndexOf(SupervisorHost.CommandName);
        if (verb < 0)
            return false;
        var config = arguments.ToList().IndexOf("--config", verb);
        return config > 0 && config + 1 < arguments.Count && arguments[config + 1] == configPath;
    }
}
