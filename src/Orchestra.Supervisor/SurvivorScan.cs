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
    public static bool AnyAlive(Workspace workspace)
    {
        var host = new LinuxProcessHost();
        var records = new StateStore(workspace.StateDirectory).Peek() ?? [];
        return records.Any(r => r.Process is { } p && host.IsAlive(p) || r.State == ReplicaState.Restarting)
            || host.FindReplicas(workspace.Root).Replicas.Count > 0;
    }
}
