using System.Runtime.Versioning;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Supervisor.Rerun;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// What a new supervisor takes over from the one before it: every replica of the state file still alive, and every
/// one that was waiting out a backoff (started again at once); the dead ones are recorded as stopped. A surge
/// replacement it left half done is ended (<see cref="SurgeLedger"/>). The public ports of the adopted services are
/// listened on again, and their files watched.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class SurvivorAdoption(IProcessHost host, StateStore state, LoadedWorkspace workspace, ReplicaSpecs specs, ReplicaTable table,
    ReplicaRunnerFactory runners, ServiceRollout rollout, RerunCoordinator reruns, SurgeLedger surges)
{
    /// <summary>Adopts what it can; returns what the user should hear of it (a recovered state file, impostors, a port), or null.</summary>
    public async Task<string?> AdoptAsync()
    {
        var notes = Adopt().ToList();
        // Before the ports are listened on again: the replica that leaves has no connection to finish.
        await SettleSwitchesAsync();
        var adopted = table.Services();
        foreach (var service in workspace.Current.Services.Where(s => adopted.Contains(s.Name)))
        {
            if (service.UsesProxy && await rollout.OpenProxyAsync(service) is { } problem)
                notes.Add(problem);
            await reruns.WatchAsync(service);
        }
        return notes.Count > 0 ? string.Join(" ", notes) : null;
    }

    /// <summary>
    /// Ends the surge replacements the previous supervisor left half done: of the two replicas, the one that served
    /// stays (the old one until the switch, the surge after it) and the other is stopped, its output collected to the
    /// end and its record forgotten. When the one that served is gone, the other is the replica.
    /// </summary>
    private async Task SettleSwitchesAsync()
    {
        foreach (var entry in surges.Pending)
        {
            var (stays, leaves) = entry.Switched ? (entry.Surge, entry.Replaces) : (entry.Replaces, entry.Surge);
            if (table.Find(entry.Service, stays) is null)
                continue;
            if (table.Find(entry.Service, leaves) is { } runner)
            {
                await runner.StopAsync(CancellationToken.None);
                await runner.DisposeAsync();
                table.Remove(runner);
            }
            state.Remove(entry.Service, leaves);
        }
        surges.Clear();
    }

    private List<string> Adopt()
    {
        var load = state.Load(host, workspace.Current.Root);
        var impostors = new List<string>();
        foreach (var record in load.Replicas)
        {
            var waitingToRestart = record.Process is null && record.State == ReplicaState.Restarting;
            // A service's replica in a container is not adopted (nor its container stopped): the next start reuses it.
            if ((waitingToRestart || record.Process is { } process && host.IsAlive(process)) && specs.For(record.Service, record.Replica, record.Port) is { Container: null } spec)
            {
                // Found in /proc only by markers its children inherit: it must also run the replica's command.
                if (load.Recovered && record.Process is { } found && !RunsCommandOf(found, spec))
                {
                    impostors.Add($"pid {found.Pid} ({record.Service}.{record.Replica})");
                    state.Remove(record.Service, record.Replica);
                    continue;
                }
                var runner = runners(spec);
                runner.Adopt(record);
                table.Add(runner);
            }
            else if (record.Process is not null)
            {
                state.Upsert(record with { State = ReplicaState.Stopped, Pid = 0, StartTime = 0, LastExit = "ended while no supervisor ran" });
            }
        }
        var notes = new List<string>();
        if (load.Problem is { } problem)
            notes.Add(problem);
        if (impostors.Count > 0)
            notes.Add($"Not adopted, as they carry a replica's markers but do not run its command: {string.Join(", ", impostors)}; Orchestra does not stop them.");
        return notes;
    }

    /// <summary>
    /// Whether the process runs the spec's command: its arguments end with the program and the spec's arguments (a
    /// script started through its #! line has its interpreter in front).
    /// </summary>
    private static bool RunsCommandOf(ProcessIdentity process, ReplicaSpec spec)
    {
        var arguments = ProcFs.CommandLine(process.Pid);
        var program = arguments.Count - spec.Arguments.Count - 1;
        return program >= 0
            && Path.GetFileName(arguments[program]) == Path.GetFileName(spec.Program)
            && arguments.Skip(program + 1).SequenceEqual(spec.Arguments);
    }
}
