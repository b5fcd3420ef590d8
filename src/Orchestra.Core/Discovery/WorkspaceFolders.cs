namespace Orchestra.Discovery;

/// <summary>
/// What Orchestra looks at in a workspace, and what it never does: one list for discovery, <c>init</c>, build
/// fingerprints and rerun watches, so that they agree.
/// </summary>
public static class WorkspaceFolders
{
    /// <summary>The project files a service folder may hold.</summary>
    public static readonly IReadOnlyList<string> ProjectPatterns = ["*.csproj", "*.fsproj"];

    /// <summary>
    /// Folders whose content is never a service's input: build output, Orchestra's own state, tools' folders.
    /// Builds write to bin/ and obj/ and Orchestra its logs to .orchestra/, so a rebuild watching them would trigger itself.
    /// </summary>
    private static readonly string[] Ignored = ["bin", "obj", ".orchestra", ".git", ".vs", "node_modules"];

    /// <summary>True for a folder name that is never looked into (compared as the file system does: case-insensitive on Windows and macOS).</summary>
    public static bool IsIgnored(string name) =>
        Ignored.Any(ignored => string.Equals(name, ignored, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    /// <summary>The project files directly in <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> ProjectsIn(string folder) =>
        ProjectPatterns.SelectMany(pattern => Directory.EnumerateFiles(folder, pattern)).ToList();
}
