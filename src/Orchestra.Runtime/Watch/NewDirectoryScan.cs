using System.IO.Enumeration;

namespace Orchestra.Runtime.Watch;

/// <summary>
/// Finds the relevant files in a directory that just appeared in a watched folder. A directory moved in brings its
/// files without an event for each, and files written into a new directory before the watcher has added a watch on
/// it (a <c>git checkout</c> creating a folder) raise none either.
/// </summary>
internal static class NewDirectoryScan
{
    public static IReadOnlyList<string> RelevantFiles(string directory, RelevantPaths relevance)
    {
        if (relevance.HoldingFolder(directory) is null || relevance.IsAlwaysIgnored(directory))
            return [];
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        var files = new FileSystemEnumerable<string>(directory, (ref entry) => entry.ToFullPath(), options)
        {
            ShouldIncludePredicate = (ref entry) => !entry.IsDirectory,
            // Never walk into a node_modules or bin/ that came along: nothing there counts.
            ShouldRecursePredicate = (ref entry) => !AlwaysIgnored.IsIgnoredFolderName(entry.FileName.ToString()),
        };
        try
        {
            return [.. files.Where(relevance.IsRelevant)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or renamed again before the scan; its new name raises an event of its own.
            return [];
        }
    }
}
