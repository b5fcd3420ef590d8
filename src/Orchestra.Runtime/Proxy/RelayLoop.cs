using System.Collections.Concurrent;
using System.Runtime.Versioning;
using Orchestra.Runtime.Processes;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// The process's one relay thread: asleep in <c>epoll_wait</c> on every proxied socket (edge-triggered), it moves
/// the bytes itself with non-blocking <c>recv</c>/<c>send</c> as soon as the kernel says a socket is ready. A
/// kept-alive message through the proxy costs this thread one wake and two system calls per direction, where async
/// pumps cost .NET's socket-engine thread a wake, a thread-pool thread a wake, and the continuations between them.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RelayLoop
{
    private const int MaxEvents = 256;

    /// <summary>Epoll data of the wake-up eventfd; connections' keys start at 2.</summary>
    private const long WakeKey = 0;

    private static readonly Lazy<RelayLoop?> SharedLoop = new(Create);

    private readonly EpollSet _set;
    private readonly int _wake;
    private readonly ConcurrentDictionary<long, object> _registered = new();
    private readonly ConcurrentQueue<EpollRelay> _stopped = new();
    private readonly Queue<(RelayedPair Pair, int Side)> _again = new();
    private long _lastId;

    private RelayLoop(EpollSet set, int wake)
    {
        _set = set;
        _wake = wake;
    }

    /// <summary>The process's loop, started on first use; null where epoll or eventfd cannot be created.</summary>
    public static RelayLoop? Shared => SharedLoop.Value;

    /// <summary>Where every relayed pair reads into: only the loop thread uses it, and a pair keeps only what it could not send.</summary>
    internal byte[] Chunk { get; } = GC.AllocateArray<byte>(RelayedPair.ChunkSize, pinned: true);

    /// <summary>A key no other registration has: the low bit tells the client's socket (0) from the backend's (1).</summary>
    public long NextKey() => Interlocked.Increment(ref _lastId) << 1;

    /// <summary>
    /// Adds <paramref name="fd"/> under <paramref name="key"/> (edge-triggered unless <paramref name="events"/> says
    /// one-shot); events on it go to <paramref name="owner"/>. False when epoll refuses it.
    /// </summary>
    public bool Add(int fd, long key, uint events, object owner)
    {
        _registered[key >> 1] = owner;
        return _set.Add(fd, events, key);
    }

    /// <summary>Takes <paramref name="fd"/> out of the set before its owner closes it; the key's owner gets no more events.</summary>
    public void Remove(int fd, long key)
    {
        _registered.TryRemove(key >> 1, out _);
        _set.Remove(fd, key);
    }

    /// <summary>
    /// On the loop thread: <paramref name="pair"/> has more to move from <paramref name="side"/> than one turn moves.
    /// It is pumped again after the events already waiting, since no new edge will come for bytes already there.
    /// </summary>
    public void Again(RelayedPair pair, int side) => _again.Enqueue((pair, side));

    /// <summary>Called on any thread when <paramref name="relay"/>'s proxy stops: its pairs are aborted on the loop thread.</summary>
    public unsafe void AbortAll(EpollRelay relay)
    {
        _stopped.Enqueue(relay);
        long one = 1;
        LibC.write(_wake, (IntPtr)(&one), sizeof(long));
    }

    private static RelayLoop? Create()
    {
        if (EpollSet.Create() is not { } set)
            return null;
        var wake = LibC.eventfd(0, LibC.EfdNonBlock | LibC.EfdCloexec);
        if (wake < 0 || !set.Add(wake, LibC.EpollIn | LibC.EpollEdgeTriggered, WakeKey))
        {
            set.Close();
            if (wake >= 0)
                LibC.close(wake);
            return null;
        }
        var loop = new RelayLoop(set, wake);
        // A background thread for the life of the process: asleep in epoll_wait whenever no byte is in flight.
        new Thread(loop.Run) { IsBackground = true, Name = "Orchestra proxy relay" }.Start();
        return loop;
    }

    private unsafe void Run()
    {
        var events = stackalloc byte[LibC.EpollEventSize * MaxEvents];
        while (true)
        {
            // With turns still owed, only look for what else is ready; else sleep until something is.
            var count = _set.Wait(events, MaxEvents, _again.Count > 0 ? 0 : -1);
            for (var i = 0; i < count; i++)
            {
                var key = EpollSet.KeyAt(events, i);
                if (key == WakeKey)
                {
                    AbortStopped();
                    continue;
                }
                // A registration removed after the kernel queued its event is simply no longer there.
                if (!_registered.TryGetValue(key >> 1, out var owner))
                    continue;
                if (owner is RelayedPair pair)
                    pair.OnReady((int)(key & 1), EpollSet.EventsAt(events, i));
                else
                    ((TaskCompletionSource)owner).TrySetResult();
            }
            for (var owed = _again.Count; owed > 0; owed--)
            {
                var (pair, side) = _again.Dequeue();
                pair.OnReady(side, LibC.EpollIn);
            }
        }
    }

    private unsafe void AbortStopped()
    {
        long count;
        LibC.read(_wake, (IntPtr)(&count), sizeof(long));
        while (_stopped.TryDequeue(out var relay))
        {
            foreach (var owner in _registered.Values)
            {
                if (owner is RelayedPair pair && pair.Relay == relay)
                    pair.Abort();
            }
        }
    }
}
