using System.Globalization;
using System.Runtime.Versioning;

namespace Orchestra.Runtime.Processes;

/// <summary>One line of <c>/proc/&lt;pid&gt;/stat</c>: the fields the runner needs.</summary>
internal readonly record struct ProcStat(int Pid, char State, int Parent, int ProcessGroup, int Session, ulong StartTime)
{
    public bool IsZombie => State is 'Z' or 'X' or 'x';
    public ProcessIdentity Identity => new(Pid, StartTime);
}

/// <summary>Reads Linux's /proc. Every read tolerates the process vanishing underneath it.</summary>
[SupportedOSPlatform("linux")]
internal static class ProcFs
{
    public static ProcStat? ReadStat(int pid)
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
    public static ProcStat? ParseStat(int pid, string text)
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

    public static IEnumerable<ProcStat> All()
    {
        foreach (var pid in ProcessList.Pids())
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
}
