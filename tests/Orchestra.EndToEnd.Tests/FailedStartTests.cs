using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, points 7 and 10: a start that fails, is interrupted by a stop, or is cancelled with Ctrl-C leaves the
/// machine as it found it, and no request holds the fleet hostage.
/// </summary>
public sealed class FailedStartTests
{
    /// <summary>Runs, but never prints the line its health probe waits for.</summary>
    private static readonly string NeverReady = PythonIdle.Printing("warming up");

    private static readonly string Idle = PythonIdle.Printing("idle up");

    [Fact]
    public async Task A_stop_interrupts_a_start_waiting_for_an_unhealthy_service_and_ps_answers_meanwhile()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("slow", NeverReady, "health: { log: \"ready\", timeout: 30m }\n");
        var start = fleet.RunAsync("start");
        await Eventually.TrueAsync(async () => (await fleet.PsAsync()).Any(r => r.State == "starting"), "the replica to be starting");

        var stop = await fleet.RunAsync("stop");
        var started = await start;

        // Without preemption the stop waits for the start, which waits 30 minutes; the test's 3-minute command deadline fails it first.
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.True(started.ExitCode == 1, started.ToString());
        Assert.Contains("error: The start was interrupted by a stop.", started.Error);
        await Eventually.TrueAsync(() => Procs.LiveInWorkspace(fleet.Root).Count == 0, "the replica to be gone");
    }

    [Fact]
    public async Task Ctrl_c_on_a_start_that_waits_stops_what_it_started_and_the_supervisor_ends()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("slow", NeverReady, "health: { log: \"ready\", timeout: 30m }\n");
        using var interrupt = new CancellationTokenSource();
        var start = fleet.RunAsync(interrupt.Token, "start");
        await Eventually.TrueAsync(async () => (await fleet.PsAsync()).Any(r => r.State == "starting"), "the replica to be starting");
        var supervisor = fleet.SupervisorPid!.Value;

        await interrupt.CancelAsync();

        Assert.Equal(130, (await start).ExitCode);
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to end");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    [Fact]
    public async Task A_start_that_fails_stops_what_it_started_keeps_what_ran_before_and_ends_an_idle_supervisor()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("before", Idle, "health: { log: \"idle up\" }\n");
        fleet.PythonService("crashing", "import sys\nprint('bye', flush=True)\nsys.exit(3)\n", "health: { log: \"never\" }\n");
        fleet.PythonService("fine", Idle, "health: { log: \"idle up\" }\n");
        await fleet.RunOkAsync("start", "before");
        var kept = (await fleet.ReplicaAsync("before")).Pid!.Value;

        var failed = await fleet.RunAsync("start", "fine", "crashing");

        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Contains("Service 'crashing' did not become healthy", failed.Error);
        Assert.Contains("  bye", failed.Error);
        var ps = await fleet.PsAsync();
        Assert.Equal([("before", "healthy")], ps.Where(r => r.Pid is not null).Select(r => (r.Service, r.State)));
        Assert.True(Procs.IsLive(kept));
        Assert.Equal([kept], Procs.LiveInWorkspace(fleet.Root));

        // With nothing left running, a failed start leaves no supervisor either.
        await fleet.RunOkAsync("stop");
        var alone = await fleet.RunAsync("start", "crashing");
        Assert.True(alone.ExitCode == 1, alone.ToString());
        await Eventually.TrueAsync(() => fleet.SupervisorPid is null, "the idle supervisor to end");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    [Fact]
    public async Task With_keep_failed_the_failed_service_is_left_to_its_restart_policy()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("slow", NeverReady, "health: { log: \"ready\", timeout: 1s }\n");

        var failed = await fleet.RunAsync("start", "--keep-failed");

        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.NotNull(fleet.SupervisorPid);
        Assert.Contains(await fleet.PsAsync(), r => r.Service == "slow" && r.State != "stopped");
    }
}
