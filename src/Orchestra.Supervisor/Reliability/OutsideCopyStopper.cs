using Orchestra.Runtime.Processes;

namespace Orchestra.Supervisor.Reliability;

/// <summary>Stops one process that runs a service outside Orchestra: SIGTERM, a grace period, then SIGKILL.</summary>
internal static class OutsideCopyStopper
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <returns>False when the process survived SIGKILL.</returns>
    public static async Task<bool> StopAsync(IProcessHost host, OutsideProcess process, CancellationToken cancellationToken)
    {
        if (host.Identify(process.Pid) is not { } identity)
            return true;
        foreach (var (signal, wait) in new[] { (StopSignals.Term, Grace), (StopSignals.Kill, Grace) })
        {
            host.Signal(identity, signal);
            var deadline = DateTimeOffset.UtcNow + wait;
            while (host.IsAlive(identity) && DateTimeOffset.UtcNow < deadline)
                await Task.Delay(Poll, cancellationToken);
            if (!host.IsAlive(identity))
                return true;
        }
        return false;
    }
}
