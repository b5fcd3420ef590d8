using Orchestra.Runtime.Replicas;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// Starts many new replicas at once, a few spawns in flight at a time. <c>posix_spawn</c> returns only once the child
/// has exec'd, and a new child waits its turn for a CPU first: on a loaded machine, among the replicas already starting,
/// that wait was tens of milliseconds per spawn, so 49 spawns one after another took 3.6 s. Spawns in flight together
/// wait together.
/// </summary>
internal static class SpawnBurst
{
    /// <summary>How many spawns are in flight at once: threads of their own, since each blocks until its child execs.</summary>
    public const int Width = 8;

    public static async Task StartAllAsync(IReadOnlyList<IReplicaRunner> runners, CancellationToken cancellationToken)
    {
        if (runners.Count <= 1)
        {
            foreach (var runner in runners)
                runner.Start();
            return;
        }
        // Dedicated threads rather than the pool's: blocked spawns would hold its few threads (two on two cores) and
        // stall the probes and log collection that run there.
        var lanes = runners.Select((runner, i) => (runner, lane: i % Width)).GroupBy(p => p.lane, p => p.runner);
        await Task.WhenAll(lanes.Select(lane => Task.Factory.StartNew(() =>
        {
            foreach (var runner in lane)
                runner.Start();
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
    }
}
