using System.Globalization;
using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 4, acceptance 2: a supervisor killed with <c>kill -9</c>. Orchestra's design lets the replicas live on
/// (docs/runtime.md): the next command starts a supervisor that adopts them, <c>ps</c> tells the truth, the output
/// printed meanwhile reaches the logs, and <c>stop</c> leaves nothing behind.
/// </summary>
public sealed class SupervisorCrashTests
{
    /// <summary>Counts forever, and keeps the last number in last.txt so the test can tell how far it got.</summary>
    private const string Counter = """
        import os, time
        print("counter ready")
        n = 0
        while True:
            print(f"count {n}")
            if n % 10 == 0:
                with open("last.tmp", "w") as f:
                    f.write(str(n))
                os.replace("last.tmp", "last.txt")
            n += 1
            time.sleep(0.01)
        """;

    private const string Idle = """
        import time
        print("idle ready")
        while True:
            time.sleep(1)
        """;

    [Fact]
    public async Task Replicas_outlive_a_killed_supervisor_and_are_adopted_with_their_output()
    {
        await using var fleet = new TestFleet();
        // A short health timeout: an adopted replica that could not be seen healthy again would be replaced quickly.
        fleet.PythonService("counter", Counter, "health: { log: \"counter ready\", timeout: 3s }\n");
        fleet.PythonService("doomed", Idle, "health: { log: \"idle ready\" }\nrestart: no\n");
        await fleet.RunOkAsync("start");
        var before = await fleet.PsAsync();
        var counterPid = before.Single(r => r.Service == "counter").Pid!.Value;
        var doomedPid = before.Single(r => r.Service == "doomed").Pid!.Value;
        var supervisor = fleet.SupervisorPid ?? throw new InvalidOperationException("no supervisor runs");

        Procs.Signal(supervisor, Procs.SigKill);
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to die");
        var atCrash = LastCount(fleet);
        // While no supervisor runs, one replica dies and the other keeps printing.
        Procs.Signal(doomedPid, Procs.SigKill);
        await Eventually.TrueAsync(() => LastCount(fleet) >= atCrash + 100, "the counter to print on without a supervisor");
        Assert.True(Procs.IsLive(counterPid), "the counter died with its supervisor");
        Assert.Null(fleet.SupervisorPid);

        // The next command finds the truth: the counter runs on under its pid, the doomed one is not running.
        var after = await fleet.PsAsync();
        var counter = after.Single(r => r.Service == "counter");
        Assert.Equal(counterPid, counter.Pid);
        var doomed = after.Single(r => r.Service == "doomed");
        Assert.NotEqual(doomedPid, doomed.Pid);
        Assert.True(doomed.Pid is null ? doomed.State is not ("healthy" or "starting") : Procs.IsLive(doomed.Pid.Value), doomed.ToString());
        var adopter = fleet.SupervisorPid ?? throw new InvalidOperationException("ps did not bring a supervisor back");
        Assert.NotEqual(supervisor, adopter);

        // The adopted counter is healthy again, and it is still the same process (not replaced by a fresh one).
        var healthy = await Eventually.ValueAsync(async () => await fleet.ReplicaAsync("counter") is { State: "healthy" } r ? r : null, "the adopted counter to be healthy");
        Assert.Equal(counterPid, healthy.Pid);
        var later = LastCount(fleet);
        await Eventually.TrueAsync(() => LastCount(fleet) >= later + 300, "the counter to outlive its health timeout under the new supervisor");
        Assert.Equal(counterPid, (await fleet.ReplicaAsync("counter")).Pid);

        await fleet.RunOkAsync("stop");
        await Eventually.TrueAsync(() => !Procs.IsLive(adopter), "the adopting supervisor to end");
        Assert.False(Procs.IsLive(counterPid));
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));

        // Every number it printed is in the log: before, during and after the crash, in order (a crash may repeat
        // the lines of the last uncommitted read, never lose or reorder one).
        var logs = await fleet.RunOkAsync("logs", "counter");
        var counts = Regex.Matches(logs.Out, @"^counter\.0 \| count (\d+)$", RegexOptions.Multiline)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var firstSeen = counts.Distinct().ToList();
        Assert.True(firstSeen.Count > later + 300, $"only {firstSeen.Count} distinct counts were collected");
        Assert.Equal(Enumerable.Range(0, firstSeen.Count), firstSeen);
    }

    /// <summary>
    /// Fails half a second after each start; the pause is there so that even on a loaded machine `start` sees it
    /// running (it has no probe) before it fails.
    /// </summary>
    private const string Flaky = """
        import sys, time
        print("flaky started")
        time.sleep(0.5)
        sys.exit(1)
        """;

    [Fact]
    public async Task A_replica_waiting_out_its_backoff_when_the_supervisor_dies_is_restarted_by_the_next_one()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("flaky", Flaky);
        await fleet.RunOkAsync("start");
        // After five restarts the next delay is at its cap, 1.5 s on the tests' 50 ms scale: a wide window to kill the supervisor in.
        await Eventually.TrueAsync(async () => await fleet.ReplicaAsync("flaky") is { State: "restarting", Restarts: >= 5 }, "flaky to wait out its capped backoff");
        var supervisor = fleet.SupervisorPid ?? throw new InvalidOperationException("no supervisor runs");
        Procs.Signal(supervisor, Procs.SigKill);
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to die");
        var starts = fleet.LogLines("flaky").Count(l => l == "flaky started");

        // The next command's supervisor picks the replica up where the dead one left it, and starts it again.
        Assert.Contains(await fleet.PsAsync(), r => r.Service == "flaky");
        await Eventually.TrueAsync(() => fleet.LogLines("flaky").Count(l => l == "flaky started") > starts, "the next supervisor to start flaky again");
    }

    private static int LastCount(TestFleet fleet)
    {
        try
        {
            return int.Parse(File.ReadAllText(fleet.PathOf("counter/last.txt")), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return -1;
        }
    }
}
