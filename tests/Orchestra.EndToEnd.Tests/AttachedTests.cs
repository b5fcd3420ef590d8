using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, point 10: <c>start -a</c> runs the fleet in the foreground with its logs; Ctrl-C stops it, and the last
/// lines the replicas print while stopping are shown too, not only written to disk. The CLI runs as a process of
/// its own here, since Ctrl-C is a signal to it.
/// </summary>
public sealed class AttachedTests
{
    [Fact]
    public async Task Ctrl_c_stops_the_attached_fleet_and_its_last_lines_are_shown()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("web", """
            import signal, sys, time
            def bye(*_):
                print("bye from web", flush=True)
                sys.exit(0)
            signal.signal(signal.SIGTERM, bye)
            print("web is up", flush=True)
            while True:
                time.sleep(1)
            """, "health: { log: \"web is up\" }\n");
        using var attached = new CliProcess(fleet.Root, "start", "-a");
        await Eventually.TrueAsync(() => attached.Output.Contains("web is up", StringComparison.Ordinal), "the attached logs to show web");

        attached.Interrupt();
        await attached.ExitCodeAsync();

        Assert.Contains("bye from web", attached.Output);
        Assert.Contains("bye from web", string.Join('\n', fleet.LogLines("web")));
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }
}
