using System.Globalization;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>Issue 4, acceptance 7: a service that ignores SIGTERM is killed after its stop timeout, with the child it spawned.</summary>
public sealed class StopTests
{
    /// <summary>
    /// Spawns a child; both shrug SIGTERM off, say so, and say so again a moment later to prove they outlived it. Each
    /// line is one write: both print into the same file at the same moments, and print() under python -u writes the
    /// text and its newline apart, so two lines could run together.
    /// </summary>
    private const string Stubborn = """
        import signal, subprocess, sys, threading, time
        CHILD = '''
        import signal, sys, threading, time
        def say(line):
            sys.stdout.write(line + "\\n")
            sys.stdout.flush()
        def on_term(*_):
            say("child got SIGTERM and carries on")
            threading.Timer(0.3, lambda: say("child still alive after SIGTERM")).start()
        signal.signal(signal.SIGTERM, on_term)
        while True:
            time.sleep(0.1)
        '''
        child = subprocess.Popen([sys.executable, "-c", CHILD])
        def say(line):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        def on_term(*_):
            say("parent got SIGTERM and carries on")
            threading.Timer(0.3, lambda: say("parent still alive after SIGTERM")).start()
        signal.signal(signal.SIGTERM, on_term)
        say(f"child {child.pid}")
        say("stubborn ready")
        while True:
            time.sleep(0.1)
        """;

    [Fact]
    public async Task A_service_that_ignores_SIGTERM_is_killed_after_its_timeout_with_its_child()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("stubborn", Stubborn, "health: { log: \"stubborn ready\" }\nstop: { timeout: 3s }\nrestart: always\n");
        fleet.PythonService("bystander", PythonIdle.Printing("bystander up"), "health: { log: \"bystander up\" }\n");
        await fleet.RunOkAsync("start");
        var parent = (await fleet.ReplicaAsync("stubborn")).Pid!.Value;
        var child = int.Parse(fleet.LogLines("stubborn").Single(l => l.StartsWith("child ", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
        Assert.True(Procs.IsLive(child) && Procs.Parent(child) == parent, "the child is not the replica's");

        var stop = await fleet.RunOkAsync("stop", "stubborn");

        Assert.Contains("stubborn: stopped", stop.Out);
        Assert.False(Procs.IsLive(parent), "the replica survived its stop");
        Assert.False(Procs.IsLive(child), "the replica's child survived its stop");
        // Both got SIGTERM and lived on, so it was the kill after the timeout that ended them; stop collected their last words.
        var lines = fleet.LogLines("stubborn");
        Assert.Contains("parent got SIGTERM and carries on", lines);
        Assert.Contains("child got SIGTERM and carries on", lines);
        Assert.Contains("parent still alive after SIGTERM", lines);
        Assert.Contains("child still alive after SIGTERM", lines);
        // restart: always does not bring back what was stopped on purpose, and the other service is untouched.
        Assert.Equal("stopped", (await fleet.ReplicaAsync("stubborn")).State);
        Assert.Equal("healthy", (await fleet.ReplicaAsync("bystander")).State);
    }
}
