using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Orchestra.Runtime.Processes;

/// <summary>
/// A pidfd (<c>pidfd_open(2)</c>, Linux 5.3) of one process, waited on in the <see cref="EpollLoop"/>: it becomes
/// readable once the process has ended and its last thread is gone, whether it is our child or an adopted replica that
/// is not. Reaping stays with <c>waitpid</c>; this only says when to call it.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class PidFd : IDisposable
{
    private readonly int _fd;
    private readonly TaskCompletionSource _ended;
    private readonly IDisposable _registration;

    private PidFd(int fd, IDisposable registration, TaskCompletionSource ended)
    {
        _fd = fd;
        _registration = registration;
        _ended = ended;
    }

    /// <summary>
    /// <c>pidfd_open</c> through <c>syscall(2)</c>: the descriptor, or the negated errno (<c>ENOSYS</c> on a kernel
    /// older than 5.3, <c>ESRCH</c> when no process has the pid).
    /// </summary>
    public static int OpenRaw(int pid)
    {
        var fd = LibC.syscall(LibC.SysPidfdOpen, pid, 0);
        return fd >= 0 ? (int)fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Watches the process with this pid, or null when that cannot be done here (no pidfd or no epoll: the caller polls)
    /// or no process has the pid any more. <paramref name="open"/> is <see cref="OpenRaw"/> but in tests.
    /// </summary>
    public static PidFd? TryOpen(int pid, Func<int, int> open)
    {
        if (EpollLoop.Shared is not { } loop)
            return null;
        var fd = open(pid);
        if (fd < 0)
            return null;
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (loop.Watch(fd, oneShot: true, () => ended.TrySetResult()) is not { } registration)
        {
            LibC.close(fd);
            return null;
        }
        return new PidFd(fd, registration, ended);
    }

    /// <summary>Completes once the process has ended.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _ended.Task.WaitAsync(cancellationToken);

    public void Dispose()
    {
        _registration.Dispose();
        LibC.close(_fd);
    }
}
