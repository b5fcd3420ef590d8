using System.Globalization;

namespace Orchestra.Runtime.Processes;

/// <summary>What <c>/proc</c> tells about other processes: their pids, command lines and working folders. Linux only.</summary>
public static class ProcessList
{
    public static IEnumerable<int> Pids()
    {
        if (!Directory.Exists("/proc"))
            yield break;
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                yield return pid;
        }
    }

    /// <summary>The arguments the process was started with, or an empty list when it is gone or is a kernel thread.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The process's current folder, or null when it cannot be read.</summary>
    public static string? WorkingDirectory(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The program the process runs, from <c>/proc/PID/exe</c> (for a script, its interpreter), or null when it cannot be read.</summary>
    public static string? Executable(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the process runs as <paramref name="uid"/> alone: its real, effective, saved and file-system user ids
    /// (the <c>Uid:</c> line of <c>/proc/PID/status</c>) all equal it. False when the process is gone.
    /// </summary>
    public static bool RunsAs(int pid, uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("Uid:", StringComparison.Ordinal))
                    continue;
                var ids = line[4..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                return ids.Length > 0 && ids.All(id => uint.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value == uid);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile.
        }
        return false;
    }

    /// <summary>The parent's pid, or null when the process is gone.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static int? Parent(int pid) => ProcFs.ReadStat(pid)?.Parent;

    /// <summary>The process and its ancestors up to (not including) pid 0.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static IReadOnlyList<int> SelfAndAncestors(int pid)
    {
        var chain = new List<int>();
        for (int? current = pid; current is > 0 && !chain.Contains(current.Value) && chain.Count < 1024; current = Parent(current.Value))
            chain.Add(current.Value);
        return chain;
    }
}
