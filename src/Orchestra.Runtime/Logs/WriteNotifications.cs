using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Orchestra.Runtime.Processes;

namespace Orchestra.Runtime.Logs;

/// <summary>
/// Tells a log collector that its replica wrote to a capture file: one inotify instance for the process, read by the
/// <see cref="EpollLoop"/>, with an <c>IN_MODIFY</c> watch on each file's inode. The watch follows the inode, not the
/// name, so a capture file whose folder was deleted under a running replica is still heard. Where inotify or epoll
/// is missing (<see cref="Shared"/> is null) the collector polls instead.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class WriteNotifications
{
    // Room for many events per read: a watch on a file carries no name, so each is 16 bytes.
    private const int BufferBytes = 4096;

    private static readonly Lazy<WriteNotifications?> SharedInstance = new(Create);

    private readonly int _inotify;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<Action>> _watches = [];
    private readonly IntPtr _buffer = Marshal.AllocHGlobal(BufferBytes);
    // Used on the epoll thread alone.
    private readonly HashSet<Action> _due = [];

    private WriteNotifications(int inotify) => _inotify = inotify;

    /// <summary>The process's instance; null where inotify or epoll cannot be had.</summary>
    public static WriteNotifications? Shared => SharedInstance.Value;

    /// <summary>
    /// Calls <paramref name="written"/> (on the epoll thread: only hand on) each time the file open as
    /// <paramref name="handle"/> is written to; null when the file cannot be watched. Dispose to stop.
    /// </summary>
    public IDisposable? Watch(SafeHandle handle, Action written)
    {
        // The descriptor's /proc link names exactly the open inode, even when its path now leads elsewhere or nowhere.
        var wd = LibC.inotify_add_watch(_inotify, $"/proc/self/fd/{handle.DangerousGetHandle()}", LibC.InModify);
        if (wd < 0)
            return null;
        lock (_lock)
        {
            // Two watches of one inode share its watch descriptor.
            if (!_watches.TryGetValue(wd, out var callbacks))
                _watches[wd] = callbacks = [];
            callbacks.Add(written);
        }
        return new Registration(this, wd, written);
    }

    private static WriteNotifications? Create()
    {
        if (EpollLoop.Shared is not { } loop)
            return null;
        var inotify = LibC.inotify_init1(LibC.InNonBlock | LibC.InCloexec);
        if (inotify < 0)
            return null;
        var notifications = new WriteNotifications(inotify);
        if (loop.Watch(inotify, oneShot: false, notifications.ReadEvents) is null)
        {
            LibC.close(inotify);
            return null;
        }
        return notifications;
    }

    /// <summary>Reads every queued event (the descriptor is non-blocking) and calls the watchers of each file once.</summary>
    private unsafe void ReadEvents()
    {
        while (true)
        {
            var read = LibC.read(_inotify, _buffer, BufferBytes);
            if (read <= 0)
                break;
            var bytes = (byte*)_buffer;
            for (nint offset = 0; offset < read;)
            {
                var wd = *(int*)(bytes + offset);
                var mask = *(uint*)(bytes + offset + 4);
                var nameLength = *(uint*)(bytes + offset + 12);
                offset += 16 + (nint)nameLength;
                lock (_lock)
                {
                    // Events were dropped: any file may have been written.
                    if ((mask & LibC.InQueueOverflow) != 0)
                        _due.UnionWith(_watches.Values.SelectMany(c => c));
                    else if (_watches.TryGetValue(wd, out var callbacks))
                        _due.UnionWith(callbacks);
                    // The kernel ended the watch (the inode is gone): its number may be handed out again.
                    if ((mask & LibC.InIgnored) != 0)
                        _watches.Remove(wd);
                }
            }
        }
        foreach (var written in _due)
            written();
        _due.Clear();
    }

    private void Unwatch(int wd, Action written)
    {
        lock (_lock)
        {
            if (!_watches.TryGetValue(wd, out var callbacks) || !callbacks.Remove(written) || callbacks.Count > 0)
                return;
            _watches.Remove(wd);
            LibC.inotify_rm_watch(_inotify, wd);
        }
    }

    private sealed class Registration(WriteNotifications owner, int wd, Action written) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.Unwatch(wd, written);
        }
    }
}
