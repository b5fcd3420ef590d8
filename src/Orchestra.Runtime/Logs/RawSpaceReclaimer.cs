using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Orchestra.Runtime.Processes;

namespace Orchestra.Runtime.Logs;

/// <summary>
/// Gives back the disk space of raw capture bytes already collected, without moving anything: Linux's
/// <c>fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)</c> turns them into a hole, the file keeps its size, so
/// persisted offsets stay valid and the replica keeps appending undisturbed. Where a file system cannot punch
/// holes the raw file simply grows (collected output is never at risk); truncating instead would race with the
/// writer and is deliberately not done.
/// </summary>
internal static class RawSpaceReclaimer
{
    private const long Block = 4096;

    /// <summary>Punches out whole blocks before <paramref name="consumed"/>; false when the file system cannot.</summary>
    public static bool Reclaim(string path, long consumed)
    {
        var end = consumed / Block * Block;
        if (end == 0 || !OperatingSystem.IsLinux())
            return OperatingSystem.IsLinux();
        return Punch(path, end);
    }

    /// <summary>Where the data of a raw file starts once its head was punched out: a resume point when offsets were lost.</summary>
    public static long FirstData(string path)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
            return 0;
        return SeekData(path);
    }

    [SupportedOSPlatform("linux")]
    private static bool Punch(string path, long end)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return LibC.fallocate((int)handle.DangerousGetHandle(), LibC.FallocFlPunchHole | LibC.FallocFlKeepSize, 0, end) == 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [SupportedOSPlatform("linux")]
    private static long SeekData(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var position = LibC.lseek((int)handle.DangerousGetHandle(), 0, LibC.SeekData);
            // ENXIO: nothing but a hole, i.e. everything was collected.
            return position >= 0 ? position : Marshal.GetLastPInvokeError() == 6 ? RandomAccess.GetLength(handle) : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
