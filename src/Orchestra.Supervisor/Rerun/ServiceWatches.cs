using Microsoft.Extensions.Logging;
using Orchestra.Runtime.Watch;

namespace Orchestra.Supervisor.Rerun;

/// <summary>
/// One watch loop per service that reruns on change: it waits for a debounced change and hands it to the rerun
/// callback, which may answer with a new watch set (a rebuild can add files). Loops end on <see cref="StopAsync"/>.
/// </summary>
internal sealed class ServiceWatches(Func<string, IReadOnlyList<string>, CancellationToken, Task<WatchSet?>> rerun, ILogger log) : IAsyncDisposable
{
    /// <summary>
    /// Editors save in several writes, and a checkout touches many files: one rerun for the burst. An editor's writes
    /// of one save land within milliseconds of each other, and a longer burst keeps extending the wait, so 50 ms is
    /// enough; every millisecond of it is part of edit-to-served.
    /// </summary>
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, (CancellationTokenSource Stop, Task Loop)> _loops = [];
    // Read by status requests, which never wait for the request that changes the loops.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _armed = new();

    /// <summary>Whether a change to the service's files is seen now: its watch is set up (which takes a moment after start).</summary>
    public bool IsArmed(string service) => _armed.GetValueOrDefault(service);

    /// <summary>Whether any service is watched.</summary>
    public bool Any => _loops.Count > 0;

    /// <summary>Watches <paramref name="set"/> for <paramref name="service"/>, replacing an earlier watch of it.</summary>
    public async Task WatchAsync(string service, WatchSet set)
    {
        await StopAsync(service);
        var stop = new CancellationTokenSource();
        _loops[service] = (stop, LoopAsync(service, set, stop.Token));
    }

    public async Task StopAsync(string service)
    {
        _armed.TryRemove(service, out _);
        if (!_loops.Remove(service, out var loop))
            return;
        await loop.Stop.CancelAsync();
        await loop.Loop;
        loop.Stop.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _loops.Keys.ToList())
            await StopAsync(service);
    }

    private static bool Same(WatchSet a, WatchSet b) =>
        a.Files.SequenceEqual(b.Files) && a.Folders.SequenceEqual(b.Folders) && a.Include.SequenceEqual(b.Include) && a.Exclude.SequenceEqual(b.Exclude);

    private async Task LoopAsync(string service, WatchSet set, CancellationToken cancellationToken)
    {
        // Setting up inotify over a folder tree takes a while; `start` returns without waiting for it.
        await Task.Yield();
        ChangeWatcher watcher;
        try
        {
            watcher = new ChangeWatcher(set, Debounce);
        }
        catch (IOException e)
        {
            // Typically the user's inotify limit: the service runs on, without reruns.
            log.NotWatched(service, e.Message);
            return;
        }
        _armed[service] = true;
        try
        {
            while (true)
            {
                var changed = await watcher.NextChangeAsync(cancellationToken);
                try
                {
                    // Set inotify up again only when the rebuild changed what to watch, not after every save.
                    if (await rerun(service, changed, cancellationToken) is { } next && !Same(set, next))
                    {
                        var replaced = watcher;
                        watcher = new ChangeWatcher(next, Debounce);
                        set = next;
                        replaced.Dispose();
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The rerun was interrupted (a stop took its turn at the fleet), not the watch: it watches on.
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A rerun that failed in an unforeseen way must not end the watch: the next save tries again.
                    log.RerunFailed(service, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            watcher.Dispose();
        }
    }
}
