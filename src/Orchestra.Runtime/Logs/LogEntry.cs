using System.Globalization;

namespace Orchestra.Runtime.Logs;

/// <summary>Which output stream a line came from; the letter is what the log file stores.</summary>
public enum LogStream
{
    /// <summary>Standard output, stored as <c>O</c>.</summary>
    Stdout,
    /// <summary>Standard error, stored as <c>E</c>.</summary>
    Stderr,
}

/// <summary>One collected output line of a replica, or (<paramref name="Replica"/> null) of the service's event log.</summary>
public sealed record LogEntry(string Service, int? Replica, DateTimeOffset Timestamp, LogStream Stream, string Text);

/// <summary>
/// The line format of a replica's log file: <c>&lt;ISO-8601 UTC timestamp with ms&gt; &lt;O|E&gt; &lt;text&gt;</c>,
/// e.g. <c>2026-11-25T12:43:26.123Z O Now listening</c>.
/// </summary>
public static class LogLineFormat
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Format(DateTimeOffset timestamp, LogStream stream, string text) =>
        $"{FormatTimestamp(timestamp)} {Letter(stream)} {text}";

    /// <summary>The timestamp field alone (ASCII); a writer of many lines formats it once per millisecond.</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static char Letter(LogStream stream) => stream == LogStream.Stdout ? 'O' : 'E';

    /// <summary>Parses a stored line; null for a line that is not in the format (a torn or foreign line is skipped, never fatal).</summary>
    public static LogEntry? Parse(string service, int? replica, string line)
    {
        var space = line.IndexOf(' ');
        if (space < 0 || line.Length < space + 3 || line[space + 2] != ' '
            || !DateTimeOffset.TryParseExact(line.AsSpan(0, space), TimestampFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var timestamp))
            return null;
        LogStream? stream = line[space + 1] switch { 'O' => LogStream.Stdout, 'E' => LogStream.Stderr, _ => null };
        return stream is { } s ? new LogEntry(service, replica, timestamp, s, line[(space + 3)..]) : null;
    }
}
