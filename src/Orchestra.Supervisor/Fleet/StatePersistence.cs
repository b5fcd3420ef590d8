using Microsoft.Extensions.Logging;
using Orchestra.Runtime.State;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// Keeps <c>state.json</c> up to date with the table: every recorded change of a replica in it is written, so a
/// supervisor killed at any moment leaves the next one the pids, ports and log offsets to adopt from. Which
/// replicas are forgotten (scaled away) is the rollout's decision, not a change of the table. A file that cannot be
/// written is logged when it starts and when it stops failing.
/// </summary>
internal sealed class StatePersistence
{
    public StatePersistence(ReplicaTable table, StateStore state, ILogger log)
    {
        table.Recorded += runner => state.Record(() => runner.Current);
        state.SaveFaultChanged += fault =>
        {
            if (fault is null)
                log.StateFileWritten();
            else
                log.StateFileFault(fault);
        };
    }
}
