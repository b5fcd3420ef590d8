using System.Globalization;
using System.Text;
using Orchestra.Runtime.Logs;

namespace Orchestra.Cli.Output;

/// <summary>
/// Writes merged log lines as <c>name.replica | text</c>, the prefix padded to the widest seen and coloured per
/// service; standard error is marked with <c>!</c> (and red text when colour is on). Plain ANSI rather than a
/// rendering library, because <c>logs -f</c> writes many lines and each must be cheap.
/// <para>
/// On a terminal, control characters in a line (all but tab) are shown as <c>\x1b</c>-style escapes: a service's
/// output must not set the terminal's title, clear it, or hide lines from the reader. Piped, lines go out byte for byte,
/// for tools that read them. The colour Orchestra itself adds is written either way when colour is on.
/// </para>
/// </summary>
internal sealed class LogPrinter(TextWriter output, bool color, bool terminal, bool timestamps, IReadOnlyList<string> services, IReadOnlyList<ReplicaLogFiles> sources, IReadOnlySet<string> vendors)
{
    private static readonly string[] Palette = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"];
    private int _width = sources.Count == 0 ? 0 : sources.Max(p => PrefixOf(p.Service, p.Replica, vendors).Length);
    private readonly Dictionary<string, string> _colors = services.Distinct()
        .Select((service, i) => (service, Palette[i % Palette.Length]))
        .ToDictionary(p => p.service, p => p.Item2);

    /// <summary><c>svc.0</c>, <c>svc.orchestra</c>; a vendor, which has one container, by its name alone (<c>postgres</c>).</summary>
    private static string PrefixOf(string service, int? replica, IReadOnlySet<string> vendors) =>
        replica is not null && vendors.Contains(service) ? service : $"{service}.{ReplicaLogFiles.SourceNameOf(replica)}";

    private string Prefix(string service, int? replica) => PrefixOf(service, replica, vendors);

    public void Write(LogEntry entry)
    {
        var name = Prefix(entry.Service, entry.Replica);
        _width = Math.Max(_width, name.Length);
        var prefix = Shown(name).PadRight(_width);
        var text = Shown(entry.Text);
        var mark = entry.Stream == LogStream.Stderr ? "!" : "|";
        var time = timestamps ? entry.Timestamp.UtcDateTime.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture) : "";
        if (!color)
        {
            output.WriteLine($"{time}{prefix} {mark} {text}");
            return;
        }
        var code = _colors.GetValueOrDefault(entry.Service, "37");
        if (entry.Stream == LogStream.Stderr)
            text = $"\u001b[31m{text}\u001b[0m";
        output.WriteLine($"\u001b[2m{time}\u001b[0m\u001b[{code}m{prefix} {mark}\u001b[0m {text}");
    }

    /// <summary>The text as it may reach the output: unchanged when piped; on a terminal, with its control characters made visible.</summary>
    private string Shown(string text) => terminal && HasControl(text) ? Escaped(text) : text;

    /// <summary>Whether <paramref name="text"/> holds a C0 control (tab among them), DEL or a C1 control (U+009B is a one-character CSI).</summary>
    private static bool HasControl(ReadOnlySpan<char> text) => text.IndexOfAnyInRange('\0', '\u001f') >= 0 || text.IndexOfAnyInRange('\u007f', '\u009f') >= 0;

    private static string Escaped(string text)
    {
        var shown = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c == '\t' || !char.IsControl(c))
                shown.Append(c);
            else
                shown.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
        }
        return shown.ToString();
    }
}
