using Microsoft.Extensions.FileSystemGlobbing;

namespace Orchestra.Runtime.Watch;

/// <summary>Decides whether a changed path matters to a <see cref="WatchSet"/>.</summary>
internal sealed class RelevantPaths
{
    private readonly HashSet<string> _files;
    private readonly Matcher? _matcher;
    // Matcher documents no thread-safety and file system events arrive on several thread-pool threads at once.
    private readonly Lock _matcherLock = new();

    public RelevantPaths(WatchSet set)
    {
        _files = new HashSet<string>(set.Files.Select(PathComparison.Normalize), PathComparison.Comparer);
        // Deepest first, so that the always-ignored rule is judged below the closest folder.
        Folders = [.. set.Folders.Select(PathComparison.Normalize).Distinct(PathComparison.Comparer).OrderByDescending(f => f.Length)];
        if (set.Include.Count > 0)
        {
            _matcher = new Matcher(PathComparison.Comparison);
            _matcher.AddIncludePatterns(set.Include);
            _matcher.AddExcludePatterns(set.Exclude);
        }
    }

    /// <summary>The normalized <see cref="WatchSet.Folders"/>, deepest first.</summary>
    public IReadOnlyList<string> Folders { get; }

    /// <summary>The normalized <see cref="WatchSet.Files"/>.</summary>
    public IReadOnlyCollection<string> Files => _files;

    /// <summary>True when a change of <paramref name="fullPath"/> (normalized) should rerun the service.</summary>
    public bool IsRelevant(string fullPath)
    {
        if (IsAlwaysIgnored(fullPath))
            return false;
        if (_files.Contains(fullPath))
            return true;
        if (_matcher is null)
            return false;
        foreach (var folder in Folders)
        {
            if (!PathComparison.IsAtOrUnder(fullPath, folder) || fullPath.Length == folder.Length)
                continue;
            var relative = Path.GetRelativePath(folder, fullPath);
            lock (_matcherLock)
            {
                if (_matcher.Match(folder, relative).HasMatches)
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The always-ignored rule, judged below the deepest of <see cref="Folders"/> holding the path (a service may live
    /// in <c>~/bin/shop</c>), or on the whole path when no folder holds it.
    /// </summary>
    public bool IsAlwaysIgnored(string fullPath)
    {
        var folder = HoldingFolder(fullPath);
        return AlwaysIgnored.Applies(folder is null ? fullPath : Path.GetRelativePath(folder, fullPath));
    }

    /// <summary>The deepest of <see cref="Folders"/> that holds <paramref name="fullPath"/>, or null.</summary>
    public string? HoldingFolder(string fullPath) => Folders.FirstOrDefault(folder => PathComparison.IsAtOrUnder(fullPath, folder));
}
