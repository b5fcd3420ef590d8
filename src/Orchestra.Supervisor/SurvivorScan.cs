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
        if (!Directory.Exists(workspace.StateDirectory))
            return host.FindReplicas(workspace.Root).Count > 0;
        var load = new StateStore(workspace.StateDirectory).Load(host, workspace.Root);
        return load.Replicas.Any(r => r.Process is { } p && host.IsAlive(p) || r.State == ReplicaState.Restarting)
            || host.FindReplicas(workspace.Root).Count > 0;
    }
}
