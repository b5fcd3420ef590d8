using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Orchestra.State;

/// <summary>Who owns a file and who may write it: the two facts that decide whether Orchestra may trust it.</summary>
public readonly record struct FileOwnership(uint Owner, UnixFileMode Mode, bool IsSymbolicLink, bool IsDirectory)
{
    /// <summary>Writable by the group or by everyone: someone other than the owner could have written it.</summary>
    public bool WritableByOthers => (Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

    /// <summary>The ownership of <paramref name="path"/> itself (a symbolic link is not followed), or null when it does not exist.</summary>
    public static FileOwnership? OfPath(string path, bool followLinks = false) =>
        Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow);

    /// <summary>The ownership of the file an open handle refers to: what was really opened, whatever the path names now.</summary>
    public static FileOwnership OfHandle(SafeFileHandle handle) =>
        Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath) ?? throw new IOException("The file's owner could not be read.");

    // statx(2): unlike struct stat, struct statx has the same layout on every Linux architecture.
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxTypeModeUid = 0x1 | 0x2 | 0x8;
    private const int StatxSize = 256;
    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    private static FileOwnership? Statx(int directory, string path, int flags)
    {
        var buffer = new byte[StatxSize];
        if (statx(directory, path, flags, StatxTypeModeUid, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENoEnt or ENotDir)
                return null;
            throw new IOException($"Orchestra cannot inspect {(path.Length > 0 ? path : "a file it opened")}: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }
        var uid = BitConverter.ToUInt32(buffer, 20);
        var mode = BitConverter.ToUInt16(buffer, 28);
        const int typeMask = 0xF000;
        return new FileOwnership(uid, (UnixFileMode)(mode & 0xFFF), (mode & typeMask) == 0xA000, (mode & typeMask) == 0x4000);
    }

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, byte[] buffer);
}

/// <summary>The user Orchestra runs as.</summary>
public static class CurrentUser
{
    /// <summary>The effective user id: the owner of what this process creates, and what it may signal.</summary>
    public static uint Id { get; } = OperatingSystem.IsLinux() ? geteuid() : 0;

    [DllImport("libc.so.6")]
    private static extern uint geteuid();
}
