using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Orchestra.Runtime.Processes;

/// <summary>The glibc calls the Linux runner needs. Constants are the Linux x86-64/arm64 values.</summary>
[SupportedOSPlatform("linux")]
internal static class LibC
{
    // "libc" alone can resolve to glibc's libc.so linker script when the dev package is installed.
    private const string Library = "libc.so.6";

    public const short PosixSpawnSetSigDef = 0x04;
    public const short PosixSpawnSetSigMask = 0x08;
    public const short PosixSpawnSetSid = 0x80; // glibc >= 2.26

    public const int ORdOnly = 0x0;
    public const int OWrOnly = 0x1;
    public const int OCreat = 0x40;
    public const int OAppend = 0x400;

    public const int WNoHang = 1;
    public const int ENoEnt = 2;
    public const int ESrch = 3;
    public const int EIntr = 4;
    public const int EChild = 10;
    public const int ENoSys = 38;

    // pidfd_open(2), Linux 5.3: called through syscall(2), as glibc wraps it only since 2.36. New system calls have one
    // number on every architecture.
    public const long SysPidfdOpen = 434;

    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const int EpollCtlMod = 3;
    public const uint EpollIn = 0x1;
    public const uint EpollOut = 0x4;
    public const uint EpollErr = 0x8;
    public const uint EpollHup = 0x10;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollOneShot = 1u << 30;
    public const uint EpollEdgeTriggered = 1u << 31;

    // struct epoll_event is packed on x86 (a 4-byte events field, then the 8-byte data), naturally aligned elsewhere.
    private static readonly bool EpollPacked = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;
    public static readonly int EpollEventSize = EpollPacked ? 12 : 16;
    public static readonly int EpollDataOffset = EpollPacked ? 4 : 8;

    public const int EAgain = 11;
    public const int EInProgress = 115;
    public const int EConnRefused = 111;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int ShutWr = 1;
    public const int SolSocket = 1;
    public const int SoError = 4;
    public const int EfdNonBlock = 0x800;
    public const int EfdCloexec = 0x80000;

    public const int InNonBlock = 0x800;
    public const int InCloexec = 0x80000;
    public const uint InModify = 0x2;
    public const uint InQueueOverflow = 0x4000;
    public const uint InIgnored = 0x8000;

    public const int FallocFlKeepSize = 0x01;
    public const int FallocFlPunchHole = 0x02;
    public const int SeekData = 3;

    // Opaque glibc structures (posix_spawnattr_t is 336 bytes, posix_spawn_file_actions_t 80, sigset_t 128):
    // allocated generously so a larger layout can never overflow.
    public const int OpaqueSize = 1024;

    [DllImport(Library, SetLastError = true)] public static extern int posix_spawnattr_init(IntPtr attr);
    [DllImport(Library, SetLastError = true)] public static extern int posix_spawnattr_destroy(IntPtr attr);
    [DllImport(Library, SetLastError = true)] public static extern int posix_spawnattr_setflags(IntPtr attr, short flags);
    [DllImport(Library, SetLastError = true)] public static extern int posix_spawnattr_setsigmask(IntPtr attr, IntPtr sigset);
    [DllImport(Library, SetLastError = true)] public static extern int posix_spawnattr_setsigdefault(IntPtr attr, IntPtr sigset);
    [DllImport(Library, SetLastError = true)] public static extern int sigemptyset(IntPtr sigset);
    [DllImport(Library, SetLastError = true)] public static extern int sigfillset(IntPtr sigset);
    [DllImport(Library, SetLastError = true)] public static extern int posix_spawn_file_actions_init(IntPtr actions);
    [DllImport(Library, SetLastError = true)] public static extern int posix_spawn_file_actions_destroy(IntPtr actions);

    [DllImport(Library, SetLastError = true)]
    public static extern int posix_spawn_file_actions_addopen(IntPtr actions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int oflag, uint mode);

    [DllImport(Library, SetLastError = true)] // glibc >= 2.29
    public static extern int posix_spawn_file_actions_addchdir_np(IntPtr actions, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport(Library, SetLastError = true)]
    public static extern int posix_spawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr actions, IntPtr attr, IntPtr[] argv, IntPtr[] envp);

    [DllImport(Library, SetLastError = true)] public static extern int waitpid(int pid, out int status, int options);
    [DllImport(Library, SetLastError = true)] public static extern int kill(int pid, int signal);
    [DllImport(Library, SetLastError = true)] public static extern int fallocate(int fd, int mode, long offset, long length);
    [DllImport(Library, SetLastError = true)] public static extern long lseek(int fd, long offset, int whence);

    [DllImport(Library, SetLastError = true)] public static extern long syscall(long number, int pid, uint flags);
    [DllImport(Library, SetLastError = true)] public static extern int close(int fd);
    [DllImport(Library, SetLastError = true)] public static extern nint read(int fd, IntPtr buffer, nint count);
    [DllImport(Library, SetLastError = true)] public static extern int epoll_create1(int flags);
    [DllImport(Library, SetLastError = true)] public static extern int epoll_ctl(int epfd, int op, int fd, IntPtr epollEvent);
    [DllImport(Library, SetLastError = true)] public static extern int epoll_wait(int epfd, IntPtr events, int maxEvents, int timeout);
    [DllImport(Library, SetLastError = true)] public static extern nint write(int fd, IntPtr buffer, nint count);
    [DllImport(Library, SetLastError = true)] public static extern int eventfd(uint initval, int flags);
    [DllImport(Library, SetLastError = true)] public static extern nint recv(int fd, IntPtr buffer, nint length, int flags);
    [DllImport(Library, SetLastError = true)] public static extern nint send(int fd, IntPtr buffer, nint length, int flags);
    [DllImport(Library, SetLastError = true)] public static extern int shutdown(int fd, int how);
    [DllImport(Library, SetLastError = true)] public static extern int connect(int fd, IntPtr address, int length);
    [DllImport(Library, SetLastError = true)] public static extern int getsockopt(int fd, int level, int name, out int value, ref int length);
    [DllImport(Library, SetLastError = true)] public static extern int inotify_init1(int flags);
    [DllImport(Library, SetLastError = true)] public static extern int inotify_rm_watch(int fd, int wd);

    [DllImport(Library, SetLastError = true)]
    public static extern int inotify_add_watch(int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mask);

    [DllImport(Library, SetLastError = true)]
    private static extern IntPtr strerror(int errnum);

    public static string Describe(int errno) => Marshal.PtrToStringUTF8(strerror(errno)) ?? $"error {errno}";
}
