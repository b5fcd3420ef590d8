using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Logs;

public sealed class ServiceEventLogTests : IDisposable
{
    private readonly RunnerWorkspace _workspace = new();

    [Fact]
    public void Events_that_cannot_be_written_neither_throw_nor_get_lost_and_are_written_before_the_next()
    {
        var events = new ServiceEventLog(_workspace.LogDirectory, TimeProvider.System);
        var log = ReplicaLogFiles.EventsOf(_workspace.LogDirectory, "api").Log;
        // A directory where the event log goes: opening it fails like an immutable or full logs folder would.
        Directory.CreateDirectory(log);

        events.Write("api", LogStream.Stderr, ["replica 0: exit code 1; restarting in 1s"]);
        Directory.Delete(log);
        events.Write("api", LogStream.Stdout, ["replica 0: healthy again"]);

        var written = File.ReadAllLines(log).Select(l => LogLineFormat.Parse("api", null, l)).ToList();
        Assert.Equal(["replica 0: exit code 1; restarting in 1s", "replica 0: healthy again"], written.Select(e => e?.Text));
        Assert.Equal([LogStream.Stderr, LogStream.Stdout], written.Select(e => e!.Stream));
    }

    public void Dispose() => _workspace.Dispose();
}
