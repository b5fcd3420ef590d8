using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestra.Configuration;

/// <summary>Parses durations such as <c>500ms</c>, <c>10s</c> or <c>1m30s</c>, as docker compose writes them.</summary>
public static partial class DurationParser
{
    public const string Expected = "a duration such as 500ms, 10s, 2m or 1h30m";

    private static readonly long MaxMilliseconds = (long)TimeSpan.MaxValue.TotalMilliseconds;

    [GeneratedRegex(@"^(?:(\d+)(ms|s|m|h))+$")]
    private static partial Regex Shape();

    /// <summary>
    /// Reads a duration; one longer than a <see cref="TimeSpan"/> holds reads as <see cref="TimeSpan.MaxValue"/>, for
    /// the caller's bounds to reject in words rather than an overflow to crash.
    /// </summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Shape().Match(text.Trim());
        if (!match.Success)
            return false;
        var amounts = match.Groups[1].Captures;
        var units = match.Groups[2].Captures;
        long total = 0;
        for (var i = 0; i < amounts.Count; i++)
        {
            var unit = units[i].Value switch
            {
                "ms" => 1L,
                "s" => 1_000L,
                "m" => 60_000L,
                _ => 3_600_000L,
            };
            // The shape lets only digits through, so a number that does not parse is too large as well.
            if (!long.TryParse(amounts[i].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > (MaxMilliseconds - total) / unit)
            {
                duration = TimeSpan.MaxValue;
                return true;
            }
            total += amount * unit;
        }
        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>The shortest text that parses back to the same duration.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero) return "0s";
        if (duration.TotalMilliseconds % 1000 != 0) return $"{(long)duration.TotalMilliseconds}ms";
        if (duration.TotalSeconds % 60 != 0) return $"{(long)duration.TotalSeconds}s";
        if (duration.TotalMinutes % 60 != 0) return $"{(long)duration.TotalMinutes}m";
        return $"{(long)duration.TotalHours}h";
    }
}
