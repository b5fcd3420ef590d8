using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Orchestra.Testing;

/// <summary>
/// What /proc says about processes, read independently of the product's own process code so that a bug there
/// cannot hide itself. A zombie counts as gone: PID 1 of this sandbox does not reap orphans, so an ended
/// replica whose supervisor died may linger as <c>Z</c> with nothing left of it but its exit status.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static partial class Procs
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>True when the pid is a live, non-zombie process.</summary>
    public static bool IsLive(int pid) => State(pid) is { } state && state is not ('Z' or 'X' or 'x');

    /// <summary>The state letter of field 3 of <c>/proc/PID/stat</c>, or null when the pid is gone.</summary>
    public static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static IEnumerable<int> All()
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                yield return pid;
        }
    }

    /// <summary>The process's arguments joined by spaces, or "" when it is gone.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The parent pid (field 4 of stat), or null when the pid is gone.</summary>
    public static int? Parent(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Live processes started for a workspace: every replica gets <c>ORCHESTRA_WORKSPACE</c> in its environment and
    /// its children inherit it, so this finds descendants that left the replica's group too.
    /// </summary>
    public static IReadOnlyList<int> LiveInWorkspace(string root)
    {
        var marker = Encoding.UTF8.GetBytes($"ORCHESTRA_WORKSPACE={root}\0");
        var found = new List<int>();
        foreach (var pid in All())
        {
            try
            {
                var environ = File.ReadAllBytes($"/proc/{pid}/environ");
                if (environ.AsSpan().IndexOf(marker) >= 0 && IsLive(pid))
                    found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }
        return found;
    }

    /// <summary>Live processes whose command line contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> LiveWithCommandLine(string text) =>
        All().Where(pid => pid != Environment.ProcessId && CommandLine(pid).Contains(text, StringComparison.Ordinal) && IsLive(pid)).ToList();

    /// <summary>Sends <paramref name="signal"/> to a pid (or a process group when negative); errors are ignored.</summary>
    public static void Signal(int pid, int signal) => Kill(pid, signal);

    /// <summary>The number of file descriptors <paramref name="pid"/> holds open now.</summary>
    public static int OpenFiles(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    /// <summary>
    /// Sets how many file descriptors <paramref name="pid"/> may hold (its soft <c>RLIMIT_NOFILE</c>) and returns the limit
    /// it had: below what it holds, every new one fails with <c>EMFILE</c> until it is raised again.
    /// </summary>
    public static ulong LimitOpenFiles(int pid, ulong limit)
    {
        if (PrLimit(pid, NoFile, IntPtr.Zero, out var old) != 0)
            throw new InvalidOperationException($"prlimit of {pid} failed: errno {Marshal.GetLastPInvokeError()}.");
        var changed = new Limit { Soft = limit, Hard = old.Hard };
        if (PrLimitSet(pid, NoFile, ref changed, IntPtr.Zero) != 0)
            throw new InvalidOperationException($"prlimit of {pid} failed: errno {Marshal.GetLastPInvokeError()}.");
        return old.Soft;
    }

    private const int NoFile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit
    {
        public ulong Soft;
        public ulong Hard;
    }

    // "libc" alone can resolve to glibc's linker script when the dev package is installed.
    [LibraryImport("libc.so.6", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc.so.6", EntryPoint = "prlimit", SetLastError = true)]
    private static partial int PrLimit(int pid, int resource, IntPtr newLimit, out Limit oldLimit);

    [LibraryImport("libc.so.6", EntryPoint = "prlimit", SetLastError = true)]
    private static partial int PrLimitSet(int pid, int resource, ref Limit newLimit, IntPtr oldLimit);
}
