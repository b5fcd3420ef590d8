using System.Globalization;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.State;

namespace Orchestra.Runtime.Tests.Replicas;

/// <summary>A replica that outlives its supervisor: adopted by the next runner with its output, or stopped without adoption.</summary>
public sealed class ReplicaAdoptionTests : ReplicaRunnerTestBase
{
    [Fact]
    public async Task A_replica_outlives_its_supervisor_and_is_adopted_without_losing_output()
    {
        var script = Workspace.Script("counter", "i=0\nwhile :; do i=$((i+1)); echo $i; echo err$i >&2; sleep 0.005; done");
        var spec = Workspace.Spec("counter", "/bin/sh", [script]);
        var first = Runner(spec);
        first.Start();
        await Eventually.TrueAsync(() => File.Exists(spec.LogFiles.Log) && File.ReadLines(spec.LogFiles.Log).Count() >= 10, "the first lines to be collected");
        var process = first.Current.Process!.Value;

        // The supervisor goes away without stopping anything, as if killed: the replica keeps printing.
        await first.DisposeAsync();
        var persisted = new StateStore(Workspace.StateDirectory).Load(Workspace.Host, Workspace.Root).Replicas.Single();
        Assert.Equal(process, persisted.Process);
        await Eventually.TrueAsync(() => new FileInfo(spec.LogFiles.RawStdout).Length > persisted.StdoutOffset + 200, "output while nobody collects");
        var printedWhileAway = LastNumberIn(spec.LogFiles.RawStdout);
        Assert.DoesNotContain(printedWhileAway.ToString(CultureInfo.InvariantCulture), Lines(spec.LogFiles));

        var state = new StateStore(Workspace.StateDirectory);
        var record = state.Load(Workspace.Host, Workspace.Root).Replicas.Single();
        await using var second = Runner(spec, state);
        second.Adopt(record);
        Assert.Equal(ReplicaState.Healthy, await second.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());
        var awayLine = printedWhileAway.ToString(CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => Lines(spec.LogFiles).Contains(awayLine), "the output printed while away to be collected");
        Assert.Equal(StopOutcome.Graceful, await second.StopAsync(CancellationToken.None));

        Assert.False(Procs.IsLive(process.Pid));
        Assert.Empty(Workspace.Host.GroupMembers(process));
        var lines = Lines(spec.LogFiles);
        var stdout = lines.Where(l => !l.StartsWith("err", StringComparison.Ordinal)).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        var stderr = lines.Where(l => l.StartsWith("err", StringComparison.Ordinal)).Select(l => int.Parse(l[3..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, stdout.Count), stdout);
        Assert.Equal(Enumerable.Range(1, stderr.Count), stderr);
        Assert.True(stdout.Count >= printedWhileAway);
    }

    /// <summary>The last complete number line of a raw capture file (its collected head reads as zero bytes).</summary>
    private static int LastNumberIn(string rawPath)
    {
        var text = File.ReadAllText(rawPath).Trim('\0');
        var complete = text[..(text.LastIndexOf('\n'))];
        return int.Parse(complete[(complete.LastIndexOf('\n') + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task After_a_crash_with_stale_offsets_adoption_repeats_lines_but_loses_none()
    {
        var script = Workspace.Script("counter", "i=0\nwhile :; do i=$((i+1)); echo $i; sleep 0.002; done");
        var spec = Workspace.Spec("counter", "/bin/sh", [script]);
        var first = Runner(spec);
        ReplicaRecord? earlyCommit = null;
        first.Changed += r =>
        {
            if (r.StdoutOffset > 0)
                Interlocked.CompareExchange(ref earlyCommit, r, null);
        };
        first.Start();
        await Eventually.TrueAsync(() => earlyCommit is not null && first.Current.StdoutOffset > earlyCommit.StdoutOffset, "lines committed after the first commit");
        await first.DisposeAsync();

        // kill -9 lands between two commits: the state file still holds the earlier offsets.
        var state = new StateStore(Workspace.StateDirectory);
        state.Upsert(earlyCommit!);
        await using var second = Runner(spec, state);
        second.Adopt(state.Load(Workspace.Host, Workspace.Root).Replicas.Single());
        var lastBefore = Lines(spec.LogFiles).Count;
        await Eventually.TrueAsync(() => Lines(spec.LogFiles).Count > lastBefore + 100, "more output collected");
        await second.StopAsync(CancellationToken.None);

        var numbers = Lines(spec.LogFiles).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Max()), numbers.Distinct());
        Assert.True(numbers.Count > numbers.Max(), "the lines after the stale offsets were collected twice");
    }

    [Fact]
    public async Task A_dead_supervisors_replica_can_be_stopped_without_adopting_and_its_output_is_kept()
    {
        var spec = Workspace.Spec("api", "/bin/sh", [Workspace.Script("talker", "echo before\nexec sleep 1000")]);
        var orphan = Workspace.Host.Spawn(spec.ToSpawnRequest());
        Workspace.Track(orphan);
        await Eventually.TrueAsync(() => File.Exists(spec.LogFiles.RawStdout) && File.ReadAllText(spec.LogFiles.RawStdout) == "before\n", "the output");
        var state = new StateStore(Workspace.StateDirectory);
        state.Upsert(new ReplicaRecord { Service = "api", Replica = 0, Pid = orphan.Pid, StartTime = orphan.StartTime, State = ReplicaState.Healthy });

        await using var runner = Runner(spec, state);
        Assert.Equal(StopOutcome.Graceful, await runner.StopAsync(CancellationToken.None));

        Assert.False(Procs.IsLive(orphan.Pid));
        Assert.Equal(["before"], Lines(spec.LogFiles));
        Assert.Equal(ReplicaState.Stopped, state.Replicas.Single().State);
    }

    [Fact]
    public async Task An_adopted_replica_that_dies_counts_as_a_failure_and_is_restarted()
    {
        var spec = Workspace.Spec("api", "sleep", ["1000"]);
        var orphan = Workspace.Spawn("api", "sleep", ["1000"]);
        var state = new StateStore(Workspace.StateDirectory);
        var record = new ReplicaRecord { Service = "api", Replica = 0, Pid = orphan.Pid, StartTime = orphan.StartTime, State = ReplicaState.Healthy };
        state.Upsert(record);
        await using var runner = Runner(spec, state);

        runner.Adopt(record);
        Workspace.Host.SignalGroup(orphan, StopSignals.Kill);

        await runner.WaitForAsync(s => s == ReplicaState.Restarting, CancellationToken.None).WithDeadline();
        await runner.WaitForAsync(s => s == ReplicaState.Healthy, CancellationToken.None).WithDeadline();
        Assert.NotEqual(orphan, runner.Current.Process);
        Assert.Equal(1, runner.Current.Restarts);
        await runner.StopAsync(CancellationToken.None);
    }
}
