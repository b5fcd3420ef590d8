using Orchestra.Runtime.Logs;

namespace Orchestra.Cli.Output;

/// <summary>
/// Writes merged log lines as <c>name.replica | text</c>, the prefix padded to the widest and coloured per
/// service; standard error is marked with <c>!</c> (and red text when colour is on). Plain ANSI rather than a
/// rendering library, because <c>logs -f</c> writes many lines and each must be cheap.
/// </summary>
internal sealed class LogPrinter(TextWriter output, bool color, bool timestamps, IReadOnlyList<string> prefixes)
{
    private static readonly string[] Palette = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"];
    private readonly int _width = prefixes.Count == 0 ? 0 : prefixes.Max(p => p.Length);
    private readonly Dictionary<string, string> _colors = prefixes
        .Select(p => p[..p.LastIndexOf('.')]).Distinct()
        .Select((service, i) => (service, Palette[i % Palette.Length]))
        .ToDictionary(p => p.service, p => p.Item2);

    public static string Prefix(string service, int replica) => $"{service}.{ReplicaLogFiles.SourceNameOf(replica)}";

    public void Write(LogEntry entry)
    {
        var prefix = Prefix(entry.Service, entry.Replica).PadRight(_width);
        var mark = entry.Stream == LogStream.Stderr ? "!" : "|";
        var time = timestamps ? entry.Timestamp.UtcDateTime.ToString("HH:mm:ss.fff ") : "";
        if (!color)
        {
            output.WriteLine($"{time}{prefix} {mark} {entry.Text}");
            return;
        }
        var code = _colors.GetValueOrDefault(entry.Service, "37");
        var text = entry.Stream == LogStream.Stderr ? $"\u001b[31m{entry.Text}\u001b[0m" : entry.Text;
        output.WriteLine($"\u001b[2m{time}\u001b[0m\u001b[{code}m{prefix} {mark}\u001b[0m {text}");
    }
}
