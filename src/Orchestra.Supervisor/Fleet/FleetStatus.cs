using System.Runtime.Versioning;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.State;
using Orchestra.Supervisor.Control;
using Orchestra.Launching;

namespace Orchestra.Supervisor.Fleet;

/// <summary>What <c>ps</c> shows: the recorded replicas, the running ones as their runners see them now.</summary>
[SupportedOSPlatform("linux")]
internal sealed class FleetStatus(ReplicaTable table, StateStore state, LoadedWorkspace workspace, LaunchStore launches, RerunFailures rerunFailures, RerunPhases rerunPhases, Func<string, bool> watching)
{
    private const int LastLinesShown = 20;

    /// <summary>
    /// The answer to a status request: the replicas and, as a note, <paramref name="note"/> and a state file that
    /// cannot be written. A status is also a chance to write it again: the fault may have cleared.
    /// </summary>
    public ControlEvent Report(IReadOnlyList<string> services, string? note)
    {
        if (state.SaveFault is not null)
            state.Save();
        var notes = new[] { note, state.SaveFault is { } fault ? $"Orchestra runs on, but {fault}; fix the folder's permissions." : null };
        return new ControlEvent { Replicas = Of(services), Message = string.Join(" ", notes.OfType<string>()) is { Length: > 0 } joined ? joined : null };
    }

    /// <summary>
    /// The replicas in the table as their runners see them now, and the ones only recorded (stopped, crashed before
    /// this supervisor). Never waits for a request: the table hands out a snapshot.
    /// </summary>
    public List<ReplicaStatus> Of(IReadOnlyList<string> services)
    {
        var live = table.Snapshot();
        var keys = live.Select(v => v.Key).ToHashSet();
        return live.Select(v => Of(v.Record) with { LogFault = v.LogFault, Watching = watching(v.Record.Service) })
            .Concat(state.Replicas.Where(r => !keys.Contains(r.Key)).Select(Of))
            .Where(r => services.Count == 0 || services.Contains(r.Service))
            .OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Replica)
            .ToList();
    }

    public ReplicaStatus Of(ReplicaRecord record)
    {
        var usage = record.Process is { } process ? ProcessUsage.Sample(process) : null;
        var failure = rerunFailures.GetValueOrDefault(record.Service);
        return new ReplicaStatus
        {
            Service = record.Service,
            Replica = record.Replica,
            Pid = record.Pid > 0 ? record.Pid : null,
            State = record.State,
            Port = record.Port,
            ServicePort = workspace.Current.FindService(record.Service) is { UsesProxy: true } service ? service.Port : null,
            StartedAt = record.StartedAt,
            TimeToHealthy = record.HealthyAfter,
            Restarts = record.Restarts,
            CpuPercent = usage?.CpuPercent,
            RssBytes = usage?.RssBytes,
            Image = record.ContainerId is null ? null
                : workspace.Current.Vendors.FirstOrDefault(v => v.Name == record.Service)?.Image ?? launches.Find(record.Service)?.Container?.Image,
            LastLines = record.State == ReplicaState.Crashed ? LastLines(record.Service, record.Replica) : [],
            BuildErrors = failure is { FailedIn: RerunPhase.Building } ? failure.Errors : [],
            TestFailures = failure is { FailedIn: RerunPhase.Testing } ? failure.Errors : [],
            Rerun = rerunPhases.TryGetValue(record.Service, out var phase) ? phase : null,
        };
    }

    /// <summary>The last lines a replica printed, from its collected log.</summary>
    public IReadOnlyList<string> LastLines(string service, int replica)
    {
        var files = new ReplicaLogFiles(ReplicaLogFiles.DirectoryIn(workspace.Current.StateDirectory), service, replica);
        return files.LogFilesOldestFirst()
            .Reverse()
            .SelectMany(path => File.ReadLines(path).Reverse())
            .Take(LastLinesShown)
            .Reverse()
            .Select(line => LogLineFormat.Parse(service, replica, line)?.Text ?? line)
            .ToList();
    }

}
