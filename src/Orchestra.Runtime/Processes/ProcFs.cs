using System.Globalization;
using System.Runtime.Versioning;

namespace Orchestra.Runtime.Processes;

/// <summary>One line of <c>/proc/&lt;pid&gt;/stat</c>: the fields the runner needs.</summary>
internal readonly record struct ProcStat(int Pid, char State, int Parent, int ProcessGroup, int Session, ulong StartTime)
{
    public bool IsZombie => State is 'Z' or 'X' or 'x';
    public ProcessIdentity Identity => new(Pid, StartTime);
}

/// <summary>
/// Reads Linux's /proc: the one place Orchestra's product code does (tests keep a reader of their own, so that a bug
/// here cannot hide itself). Every read tolerates the process vanishing underneath it.
/// </summary>
[SupportedOSPlatform("linux")]
public static class ProcFs
{
    internal static ProcStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return ParseStat(pid, text);
    }

    /// <summary>Parses a stat line; the command name (field 2) may hold spaces and parentheses, so fields are counted from its last ')'.</summary>
    internal static ProcStat? ParseStat(int pid, string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field N is fields[N - 3].
        if (fields.Length < 20
            || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var parent)
            || !int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var group)
            || !int.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var session)
            || !ulong.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start))
            return null;
        return new ProcStat(pid, fields[0][0], parent, group, session, start);
    }

    internal static IEnumerable<ProcStat> All()
    {
        foreach (var pid in Pids())
        {
            if (ReadStat(pid) is { } stat)
                yield return stat;
        }
    }

    /// <summary>The environment a process was started with, or null when it is unreadable (another user's, or gone).</summary>
    public static IReadOnlyDictionary<string, string>? ReadEnvironment(int pid)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in System.Text.Encoding.UTF8.GetString(bytes).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=');
            if (equals > 0)
                result[entry[..equals]] = entry[(equals + 1)..];
        }
        return result;
    }

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
    public static int? Parent(int pid) => ReadStat(pid)?.Parent;

    /// <summary>The process and its ancestors up to (not including) pid 0.</summary>
    public static IReadOnlyList<int> SelfAndAncestors(int pid)
    {
        var chain = new List<int>();
        for (int? current = pid; current is > 0 && !chain.Contains(current.Value) && chain.Count < 1024; current = Parent(current.Value))
            chain.Add(current.Value);
        return chain;
    }
}
