namespace Orchestra.Runtime.Watch;

/// <summary>
/// Paths that never trigger a rerun whatever a service's globs say. Builds write to bin/ and obj/ and Orchestra
/// writes its logs to .orchestra/, so without this a rebuild would trigger itself; editors write temp files next to
/// the file being saved.
/// </summary>
internal static class AlwaysIgnored
{
    private static readonly string[] FolderNames = ["bin", "obj", ".orchestra", ".git", "node_modules"];

    /// <summary>True when a segment of <paramref name="path"/> is an ignored folder or its file name is an editor temp file.</summary>
    public static bool Applies(string path)
    {
        var segments = path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        return segments.Any(IsIgnoredFolderName) || (segments.Length > 0 && IsEditorTempFile(segments[^1]));
    }

    public static bool IsIgnoredFolderName(string name) =>
        FolderNames.Any(ignored => string.Equals(name, ignored, PathComparison.Comparison));

    private static bool IsEditorTempFile(string name) =>
        name.EndsWith('~')
        || name.EndsWith(".swp", PathComparison.Comparison)
        || name.EndsWith(".tmp", PathComparison.Comparison)
        || name.StartsWith(".#", StringComparison.Ordinal);
}
