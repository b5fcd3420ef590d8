using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Orchestra.Runtime.Processes;

/// <summary>
/// One epoll instance: descriptors added and removed under 64-bit keys, and a wait that rides out the signals the
/// runtime itself sends. The loops that own a thread each (<see cref="EpollLoop"/>, the proxy's relay) build on it.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class EpollSet
{
    private readonly int _fd;

    private EpollSet(int fd) => _fd = fd;

    /// <summary>A new instance (close-on-exec), or null where epoll cannot be created.</summary>
    public static EpollSet? Create() => LibC.epoll_create1(LibC.EpollCloexec) is var fd and >= 0 ? new EpollSet(fd) : null;

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/>, reported under <paramref name="key"/>; false when epoll refuses it.</summary>
    public bool Add(int fd, uint events, long key) => Control(LibC.EpollCtlAdd, fd, events, key) == 0;

    /// <summary>Stops watching <paramref name="fd"/>, before its owner closes it.</summary>
    public void Remove(int fd, long key) => Control(LibC.EpollCtlDel, fd, 0, key);

    public void Close() => LibC.close(_fd);

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: for ever) for ready descriptors, written into
    /// <paramref name="events"/> (room for <paramref name="max"/>); how many. An interrupted wait is waited again.
    /// </summary>
    public int Wait(byte* events, int max, int timeoutMilliseconds)
    {
        while (true)
        {
            var count = LibC.epoll_wait(_fd, (IntPtr)events, max, timeoutMilliseconds);
            if (count >= 0)
                return count;
            var errno = Marshal.GetLastPInvokeError();
            // The runtime's own signals interrupt the wait; anything else is a bug in how the set is used.
            if (errno != LibC.EIntr)
                throw new InvalidOperationException($"epoll_wait failed: {LibC.Describe(errno)}.");
        }
    }

    /// <summary>The key of the <paramref name="index"/>th event a <see cref="Wait"/> wrote.</summary>
    public static long KeyAt(byte* events, int index) => *(long*)(events + index * LibC.EpollEventSize + LibC.EpollDataOffset);

    /// <summary>The event bits of the <paramref name="index"/>th event a <see cref="Wait"/> wrote.</summary>
    public static uint EventsAt(byte* events, int index) => *(uint*)(events + index * LibC.EpollEventSize);

    private int Control(int op, int fd, uint events, long key)
    {
        var buffer = stackalloc byte[16];
        *(uint*)buffer = events;
        *(long*)(buffer + LibC.EpollDataOffset) = key;
        return LibC.epoll_ctl(_fd, op, fd, (IntPtr)buffer);
    }
}
