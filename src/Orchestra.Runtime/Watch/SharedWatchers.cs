namespace Orchestra.Runtime.Watch;

/// <summary>
/// One FileSystemWatcher per watched directory in the process, shared by every <see cref="ChangeWatcher"/> that
/// watches it the same way. Each FileSystemWatcher holds an inotify instance and a thread of its own on Linux, and the
/// services of a workspace all watch its root folder (for its <c>Directory.Build.*</c> files): a fleet of five held
/// five watchers of one folder in the supervisor.
/// </summary>
internal static class SharedWatchers
{
    // Where the buffer is the kernel's queue of events (Windows), large enough for a checkout of a big tree between two
    // reads; an overflow is still reported. On Linux inotify queues the events itself (fs.inotify.max_queued_events)
    // and the buffer is only what each read takes, held by every watcher for good: the default 8 KiB does there.
    private static readonly int InternalBufferSize = OperatingSystem.IsLinux() ? 8 * 1024 : 64 * 1024;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<(string Directory, bool Recursive), Shared> Watching = new(new RootComparer());

    /// <summary>Raised for each change under the root; the watcher's Error event stands for lost events.</summary>
    public interface IListener
    {
        void Changed(string path, bool mayBeNewDirectory);

        void EventsLost();
    }

    /// <summary>Starts <paramref name="listener"/> hearing changes under <paramref name="root"/>; dispose to stop.</summary>
    /// <exception cref="IOException">The OS refused a watch (e.g. the user's inotify instance limit is reached).</exception>
    public static IDisposable Listen(WatchRoot root, IListener listener)
    {
        lock (Gate)
        {
            var key = (root.Directory, root.Recursive);
            if (!Watching.TryGetValue(key, out var shared))
            {
                shared = new Shared(Start(root));
                Watching[key] = shared;
            }
            shared.Listeners.Add(listener);
            return new Subscription(key, shared, listener);
        }
    }

    /// <summary>How many listeners share the watcher of <paramref name="root"/>: 0 when nobody watches it.</summary>
    internal static int ListenersOf(WatchRoot root)
    {
        lock (Gate)
            return Watching.TryGetValue((root.Directory, root.Recursive), out var shared) ? shared.Listeners.Count : 0;
    }

    private static FileSystemWatcher Start(WatchRoot root)
    {
        var watcher = new FileSystemWatcher(root.Directory)
        {
            IncludeSubdirectories = root.Recursive,
            InternalBufferSize = InternalBufferSize,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        try
        {
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch
        {
            watcher.Dispose();
            throw;
        }
    }

    /// <summary>A watcher and who listens to it; its events reach the listeners there are when each one comes.</summary>
    private sealed class Shared
    {
        public Shared(FileSystemWatcher watcher)
        {
            Watcher = watcher;
            watcher.Created += (_, e) => Raise(l => l.Changed(e.FullPath, mayBeNewDirectory: true));
            watcher.Changed += (_, e) => Raise(l => l.Changed(e.FullPath, mayBeNewDirectory: false));
            watcher.Deleted += (_, e) => Raise(l => l.Changed(e.FullPath, mayBeNewDirectory: false));
            watcher.Renamed += (_, e) => Raise(l =>
            {
                l.Changed(e.OldFullPath, mayBeNewDirectory: false);
                l.Changed(e.FullPath, mayBeNewDirectory: true);
            });
            // Events were lost (queue overflow) or the watch broke: which files changed is unknown.
            watcher.Error += (_, _) => Raise(l => l.EventsLost());
        }

        public FileSystemWatcher Watcher { get; }

        // Guarded by Gate; events are raised to a copy, so a listener may come or go meanwhile.
        public List<IListener> Listeners { get; } = [];

        private void Raise(Action<IListener> raise)
        {
            IListener[] listeners;
            lock (Gate)
                listeners = [.. Listeners];
            foreach (var listener in listeners)
                raise(listener);
        }
    }

    private sealed class Subscription((string, bool) key, Shared shared, IListener listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
                return;
            lock (Gate)
            {
                shared.Listeners.Remove(listener);
                if (shared.Listeners.Count > 0)
                    return;
                Watching.Remove(key);
            }
            shared.Watcher.Dispose();
        }
    }

    private sealed class RootComparer : IEqualityComparer<(string Directory, bool Recursive)>
    {
        public bool Equals((string Directory, bool Recursive) x, (string Directory, bool Recursive) y) =>
            x.Recursive == y.Recursive && PathComparison.Comparer.Equals(x.Directory, y.Directory);

        public int GetHashCode((string Directory, bool Recursive) root) =>
            HashCode.Combine(PathComparison.Comparer.GetHashCode(root.Directory), root.Recursive);
    }
}
