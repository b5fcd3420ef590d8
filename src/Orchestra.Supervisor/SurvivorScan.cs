using System.Runtime.Versioning;
using Orchestra.Discovery;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.State;

namespace Orchestra.Supervisor;

/// <summary>
/// Whether any replica of a workspace still runs, or waits out a restart backoff, from its state file and, failing
/// that, from /proc: either way a supervisor must be there to look after it.
/// </summary>
[SupportedOSPlatform("linux")]
public static class SurvivorScan
{
    /// <param name="root">The workspace's folder (that of its orchestra.yml).</param>
    public static bool AnyAlive(string root)
    {
        var host = new LinuxProcessHost();
        var records = new StateStore(Workspace.StateDirectoryIn(root)).Peek() ?? [];
        return records.Any(r => r.Process is { } p && host.IsAlive(p) || r.State == ReplicaState.Restarting)
            || host.FindReplicas(root).Replicas.Count > 0;
    }
}
