namespace Orchestra.Runtime.Watch;

/// <summary>
/// Picks the fewest directories that cover a <see cref="WatchSet"/>: each existing folder recursively (minus folders
/// inside another one), and each existing directory of a listed file that no such folder covers, non-recursively.
/// Every watcher costs an inotify instance and watch descriptors, both limited per user.
/// </summary>
internal static class WatchRoots
{
    public static IReadOnlyList<WatchRoot> Plan(RelevantPaths relevance)
    {
        var roots = new List<WatchRoot>();
        foreach (var folder in relevance.Folders.OrderBy(f => f.Length))
        {
            if (Directory.Exists(folder) && !IsSystemOrPackageDirectory(folder) && !roots.Any(root => PathComparison.IsAtOrUnder(folder, root.Directory)))
                roots.Add(new WatchRoot(folder, Recursive: true));
        }
        var recursive = roots.Count;
        var fileDirectories = relevance.Files
            .Select(Path.GetDirectoryName)
            .OfType<string>()
            .Distinct(PathComparison.Comparer)
            .Order(PathComparison.Comparer);
        foreach (var directory in fileDirectories)
        {
            // Files in SDK or package folders (implicit items, analyzers' props) are not the service's sources, and a
            // directory in bin/ or obj/ only holds changes that never count.
            if (roots.Take(recursive).Any(root => PathComparison.IsAtOrUnder(directory, root.Directory))
                || IsSystemOrPackageDirectory(directory)
                || relevance.IsAlwaysIgnored(directory)
                || !Directory.Exists(directory))
                continue;
            roots.Add(new WatchRoot(directory, Recursive: false));
        }
        return roots;
    }

    private static bool IsSystemOrPackageDirectory(string directory)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] excluded = home.Length == 0 ? ["/usr", "/opt"] : ["/usr", "/opt", Path.Combine(home, ".nuget")];
        return excluded.Any(root => PathComparison.IsAtOrUnder(directory, root));
    }
}
