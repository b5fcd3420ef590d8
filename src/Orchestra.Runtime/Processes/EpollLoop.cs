using System.Collections.Concurrent;
using System.Runtime.Versioning;

namespace Orchestra.Runtime.Processes;

/// <summary>
/// One thread asleep in <c>epoll_wait</c> for every file descriptor the runner waits on (the replicas' pidfds, the
/// inotify descriptor of their capture files), calling back when one is ready. Waiting this way costs nothing while
/// nothing happens: no timer fires and no thread wakes, where polling woke every replica's loop 50 times a second.
/// Callbacks run on that thread and must only hand on (complete a task, set a signal), never block.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class EpollLoop
{
    private const int MaxEvents = 64;

    private static readonly Lazy<EpollLoop?> SharedLoop = new(Create);

    private readonly EpollSet _set;
    private readonly ConcurrentDictionary<long, Action> _callbacks = new();
    private long _lastId;

    private EpollLoop(EpollSet set) => _set = set;

    /// <summary>The process's loop, started on first use; null where epoll cannot be created.</summary>
    public static EpollLoop? Shared => SharedLoop.Value;

    /// <summary>
    /// Calls <paramref name="ready"/> when <paramref name="fd"/> is readable: once with <paramref name="oneShot"/>, else
    /// at every wake while it is (level-triggered: the callback reads until there is nothing left). Null when epoll
    /// refuses the descriptor. Disposing the registration stops the calls; the caller closes the descriptor after that.
    /// </summary>
    public IDisposable? Watch(int fd, bool oneShot, Action ready)
    {
        var id = Interlocked.Increment(ref _lastId);
        _callbacks[id] = ready;
        if (_set.Add(fd, LibC.EpollIn | (oneShot ? LibC.EpollOneShot : 0), id))
            return new Registration(this, fd, id);
        _callbacks.TryRemove(id, out _);
        return null;
    }

    private static EpollLoop? Create()
    {
        if (EpollSet.Create() is not { } set)
            return null;
        var loop = new EpollLoop(set);
        // A background thread for the life of the process: it holds no work of its own, only waits.
        new Thread(loop.Run) { IsBackground = true, Name = "Orchestra epoll" }.Start();
        return loop;
    }

    private unsafe void Run()
    {
        var events = stackalloc byte[LibC.EpollEventSize * MaxEvents];
        while (true)
        {
            var count = _set.Wait(events, MaxEvents, -1);
            for (var i = 0; i < count; i++)
            {
                // A registration disposed after the kernel queued its event is simply no longer there.
                if (_callbacks.TryGetValue(EpollSet.KeyAt(events, i), out var ready))
                    ready();
            }
        }
    }

    private sealed class Registration(EpollLoop loop, int fd, long id) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
                return;
            loop._callbacks.TryRemove(id, out _);
            loop._set.Remove(fd, id);
        }
    }
}
