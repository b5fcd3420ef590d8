using System.Diagnostics;
using System.Text;
using Orchestra.Cli;
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
        var output = new StringBuilder();
        // As from a terminal, where Ctrl-C is not ignored: a suite started in the background (`cmd &` in a script) runs
        // with SIGINT ignored, which every child inherits and .NET then leaves ignored.
        var info = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", typeof(OrchestraCli).Assembly.Location, "start", "-a"])
        {
            WorkingDirectory = fleet.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var attached = Process.Start(info)!;
        attached.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        attached.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        attached.BeginOutputReadLine();
        attached.BeginErrorReadLine();
        string Shown() { lock (output) return output.ToString(); }
        await Eventually.TrueAsync(() => Shown().Contains("web is up", StringComparison.Ordinal), "the attached logs to show web");

        Procs.Signal(attached.Id, 2);
        try
        {
            await attached.WaitForExitAsync().WithDeadline();
        }
        catch (TimeoutException)
        {
            // What the attached command (the supervisor's log included) printed tells why.
            Assert.Fail($"the attached command did not end after SIGINT; it printed:\n{Shown()}");
        }

        Assert.Contains("bye from web", Shown());
        Assert.Contains("bye from web", string.Join('\n', fleet.LogLines("web")));
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }
}
