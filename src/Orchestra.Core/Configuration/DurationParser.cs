using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestra.Configuration;

/// <summary>Parses durations such as <c>500ms</c>, <c>10s</c> or <c>1m30s</c>, as docker compose writes them.</summary>
public static partial class DurationParser
{
    public const string Expected = "a duration such as 500ms, 10s, 2m or 1h30m";

    [GeneratedRegex(@"^(?:(\d+)(ms|s|m|h))+$")]
    private static partial Regex Shape();

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Shape().Match(text.Trim());
        if (!match.Success)
            return false;
        var amounts = match.Groups[1].Captures;
        var units = match.Groups[2].Captures;
        for (var i = 0; i < amounts.Count; i++)
        {
            if (!long.TryParse(amounts[i].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000_000)
                return false;
            duration += units[i].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }
        return true;
    }

    /// <summary>The shortest text that parses back to the same duration.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration.TotalMilliseconds % 1000 != 0) return $"{(long)duration.TotalMilliseconds}ms";
        if (duration.TotalSeconds % 60 != 0) return $"{(long)duration.TotalSeconds}s";
        if (duration.TotalMinutes % 60 != 0) return $"{(long)duration.TotalMinutes}m";
        return $"{(long)duration.TotalHours}h";
    }
}
