using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Runtime.Watch;
using Orchestra.Supervisor.Rerun;

namespace Orchestra.Tests.Supervisor;

public sealed class ServiceWatchesTests
{
    [Fact]
    public async Task A_rerun_interrupted_by_a_stop_leaves_the_watch_running_and_it_ends_cleanly()
    {
        using var folder = new TempWorkspace();
        var file = folder.Write("svc/a.txt", "0");
        var reruns = 0;
        var interrupted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rerunAgain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watches = new ServiceWatches((_, _, _) =>
        {
            // The first rerun is cancelled as a stop preempting it at the fleet gate cancels it: not by the watch's token.
            if (Interlocked.Increment(ref reruns) == 1)
            {
                interrupted.SetResult();
                throw new OperationCanceledException();
            }
            rerunAgain.TrySetResult();
            return Task.FromResult<WatchSet?>(null);
        }, NullLogger.Instance);
        await watches.WatchAsync("svc", new WatchSet { Folders = [folder.PathOf("svc")], Include = ["*.txt"] });
        await Eventually.TrueAsync(() => watches.IsArmed("svc"), "the watch to be set up");

        File.WriteAllText(file, "1");
        await interrupted.Task.WithDeadline();
        File.WriteAllText(file, "2");
        await rerunAgain.Task.WithDeadline();

        await watches.DisposeAsync();
        Assert.False(watches.IsArmed("svc"));
    }
}
