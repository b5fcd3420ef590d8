using Orchestra.Discovery;

namespace Orchestra.Runtime.Watch;

/// <summary>
/// Paths that never trigger a rerun whatever a service's globs say: those in the workspace's ignored folders
/// (<see cref="WorkspaceFolders"/>), and the temp files editors write next to the file being saved.
/// </summary>
internal static class AlwaysIgnored
{
    /// <summary>True when a segment of <paramref name="path"/> is an ignored folder or its file name is an editor temp file.</summary>
    public static bool Applies(string path)
    {
        var segments = path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        return segments.Any(IsIgnoredFolderName) || (segments.Length > 0 && IsEditorTempFile(segments[^1]));
    }

    public static bool IsIgnoredFolderName(string name) => WorkspaceFolders.IsIgnored(name);

    private static bool IsEditorTempFile(string name) =>
        name.EndsWith('~')
        || name.EndsWith(".swp", PathComparison.Comparison)
        || name.EndsWith(".tmp", PathComparison.Comparison)
        || name.StartsWith(".#", StringComparison.Ordinal);
}
