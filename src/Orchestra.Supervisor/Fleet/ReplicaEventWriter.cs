using Microsoft.Extensions.Logging;
using Orchestra.Configuration;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.State;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// Tells in each service's event log (<c>svc.orchestra</c> lines in <c>logs</c>) why a replica restarted, crashed or
/// turned unhealthy, and in the supervisor's log when its output cannot be collected (the event log is in the
/// folder that is failing then): a subscriber of the replica table.
/// </summary>
internal sealed class ReplicaEventWriter
{
    private readonly ServiceEventLog _events;
    private readonly ILogger _log;

    public ReplicaEventWriter(ReplicaTable table, ServiceEventLog events, ILogger log)
    {
        (_events, _log) = (events, log);
        table.Changed += Write;
    }

    private void Write(ReplicaChange change)
    {
        switch (change)
        {
            case ReplicaStateChanged { Record: var record, Before: var before } when record.State != before && EventFor(record, before) is var (stream, line):
                _events.Write(change.Service, stream, [line]);
                break;
            case ReplicaLogFaultChanged { Fault: null }:
                _log.LogCollectionRecovered(change.Service, change.Replica);
                break;
            case ReplicaLogFaultChanged { Fault: { } fault }:
                _log.LogCollectionFault(change.Service, change.Replica, fault);
                break;
        }
    }

    /// <summary>The event-log line for a replica's new state, when it is news to someone reading the logs.</summary>
    private static (LogStream Stream, string Line)? EventFor(ReplicaRecord replica, ReplicaState? before) => replica.State switch
    {
        ReplicaState.Restarting => (LogStream.Stderr, $"replica {replica.Replica}: {replica.LastExit}; restarting in {DurationParser.Format(replica.Backoff ?? TimeSpan.Zero)}"),
        ReplicaState.Crashed => (LogStream.Stderr, $"replica {replica.Replica}: {replica.LastExit}; crashed, left alone after failing too often in a row"),
        ReplicaState.Unhealthy => (LogStream.Stderr, $"replica {replica.Replica}: unhealthy"),
        ReplicaState.Healthy when before == ReplicaState.Unhealthy => (LogStream.Stdout, $"replica {replica.Replica}: healthy again"),
        _ => null,
    };
}
