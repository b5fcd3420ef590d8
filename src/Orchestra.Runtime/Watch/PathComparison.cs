namespace Orchestra.Runtime.Watch;

/// <summary>How paths compare on this OS: Linux file names are case-sensitive, Windows and macOS ones (by default) are not.</summary>
internal static class PathComparison
{
    public static StringComparison Comparison { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static StringComparer Comparer { get; } =
        Comparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    /// <summary>The full path without a trailing separator, so that a path written two ways compares equal.</summary>
    public static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it (both normalized).</summary>
    public static bool IsAtOrUnder(string path, string folder)
    {
        if (!path.StartsWith(folder, Comparison))
            return false;
        // "/a/bc" starts with "/a/b" but is not under it; the root "/" already ends with its separator.
        return path.Length == folder.Length
            || Path.EndsInDirectorySeparator(folder)
            || path[folder.Length] == Path.DirectorySeparatorChar
            || path[folder.Length] == Path.AltDirectorySeparatorChar;
    }
}
