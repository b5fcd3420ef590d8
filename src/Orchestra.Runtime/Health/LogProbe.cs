using System.Text.RegularExpressions;
using Orchestra.Runtime.Logs;

namespace Orchestra.Runtime.Health;

/// <summary>Ready once an output line matches the pattern; the <see cref="LogCollector"/> feeds it every line through <see cref="Observe"/>.</summary>
public sealed class LogProbe(Regex pattern) : IHealthProbe
{
    private volatile bool _matched;

    /// <summary>A probe for <paramref name="pattern"/>; a malformed pattern is matched as literal text rather than failing the replica.</summary>
    public static LogProbe For(string pattern)
    {
        try
        {
            return new LogProbe(new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        }
        catch (ArgumentException)
        {
            return new LogProbe(new Regex(Regex.Escape(pattern), RegexOptions.CultureInvariant));
        }
    }

    public void Observe(LogEntry entry)
    {
        if (!_matched && pattern.IsMatch(entry.Text))
            _matched = true;
    }

    /// <summary>
    /// Counts the line as seen: an adopted replica announced itself to the previous supervisor, and will not print
    /// that line again for this one.
    /// </summary>
    public void AcceptEarlierMatch() => _matched = true;

    /// <summary>Forgets an earlier match: a restarted replica must announce itself again.</summary>
    public void Reset() => _matched = false;

    public bool WatchesLiveness => false;

    public Task<bool> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(_matched);
}
