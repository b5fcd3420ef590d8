using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestra.Runtime.Logs;

/// <summary>
/// The files of one replica under <c>.orchestra/logs/</c>: the raw capture files the process writes to
/// directly (<c>svc.0.stdout</c>, <c>svc.0.stderr</c>) and the collected log (<c>svc.0.log</c>, rotated to <c>svc.0.log.1</c>…).
/// A <see cref="Replica"/> of null names the one log that is not a replica's: what Orchestra itself says about a
/// service (<c>svc.orchestra.log</c>), such as why its rerun did not build, merged by <c>logs</c> with its replicas' output.
/// </summary>
public sealed partial record ReplicaLogFiles(string Directory, string Service, int? Replica)
{
    private const string EventsName = "orchestra";

    /// <summary>The logs folder inside a workspace's state folder.</summary>
    public static string DirectoryIn(string stateDirectory) => Path.Combine(stateDirectory, "logs");

    /// <summary>The event log of <paramref name="service"/>.</summary>
    public static ReplicaLogFiles EventsOf(string directory, string service) => new(directory, service, null);

    /// <summary>How the source is named in file names and in <c>logs</c>' prefixes: the replica number, or <c>orchestra</c>.</summary>
    public string SourceName => SourceNameOf(Replica);

    /// <inheritdoc cref="SourceName"/>
    public static string SourceNameOf(int? replica) => replica is { } number ? number.ToString(CultureInfo.InvariantCulture) : EventsName;

    private string Stem => Path.Combine(Directory, $"{Service}.{SourceName}");

    public string RawStdout => Stem + ".stdout";
    public string RawStderr => Stem + ".stderr";
    public string Log => Stem + ".log";

    /// <summary>The <paramref name="generation"/>th rotated log (1 is the most recent).</summary>
    public string Rotated(int generation) => $"{Log}.{generation.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The collected log files, oldest first.</summary>
    public IReadOnlyList<string> LogFilesOldestFirst()
    {
        var rotated = new List<(int Generation, string Path)>();
        if (System.IO.Directory.Exists(Directory))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, Path.GetFileName(Log) + ".*"))
            {
                if (int.TryParse(Path.GetExtension(path).TrimStart('.'), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
                    rotated.Add((generation, path));
            }
        }
        var files = rotated.OrderByDescending(r => r.Generation).Select(r => r.Path).ToList();
        if (File.Exists(Log))
            files.Add(Log);
        return files;
    }

    /// <summary>Every replica that has a collected log in <paramref name="directory"/>.</summary>
    public static IReadOnlyList<ReplicaLogFiles> FindAll(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            return [];
        return System.IO.Directory.EnumerateFiles(directory, "*.log")
            .Select(path => LogName().Match(Path.GetFileName(path)))
            .Where(m => m.Success)
            .Select(m => new ReplicaLogFiles(directory, m.Groups[1].Value,
                m.Groups[2].Value == EventsName ? null : int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .OrderBy(f => f.Service, StringComparer.Ordinal).ThenBy(f => f.Replica)
            .ToList();
    }

    [GeneratedRegex(@"^(.+)\.(\d{1,9}|orchestra)\.log$")]
    private static partial Regex LogName();
}

/// <summary>How far the collector has consumed each raw capture file, in bytes. Everything before an offset is in the collected log.</summary>
public sealed record LogOffsets(long Stdout, long Stderr)
{
    public static readonly LogOffsets Start = new(0, 0);
}
