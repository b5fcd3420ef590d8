using System.Security.Cryptography;
using System.Text;
using Orchestra.Discovery;

namespace Orchestra.Build.Fingerprints;

/// <summary>A file as last seen: its size and last write time. Cheap to take, and enough to notice an edit.</summary>
public sealed record FileStamp(string Path, long Size, long WriteTicks);

/// <summary>A folder's entry names as last seen, hashed: notices a file added, removed or renamed.</summary>
public sealed record FolderStamp(string Path, string EntriesHash);

/// <summary>
/// What a set of inputs looked like: every file by path, size and last write time, and every folder they sit in by
/// its entry names. Comparing two fingerprints costs one stat per file, never a read.
/// </summary>
public sealed record InputFingerprint(IReadOnlyList<FileStamp> Files, IReadOnlyList<FolderStamp> Folders)
{
    /// <summary>Stamps <paramref name="files"/> (a missing file is stamped with size -1) and <paramref name="folders"/>.</summary>
    public static InputFingerprint Take(IEnumerable<string> files, IEnumerable<string> folders) => new(
        files.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(StampFile).ToList(),
        folders.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(StampFolder).ToList());

    /// <summary>Whether every file and folder still looks as it did.</summary>
    public bool IsCurrent() =>
        Files.All(f => StampFile(f.Path) == f) && Folders.All(f => StampFolder(f.Path) == f);

    private static FileStamp StampFile(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(path, info.Length, info.LastWriteTimeUtc.Ticks) : new FileStamp(path, -1, 0);
    }

    private static FolderStamp StampFolder(string path)
    {
        if (!Directory.Exists(path))
            return new FolderStamp(path, "");
        var names = Directory.EnumerateFileSystemEntries(path)
            .Select(System.IO.Path.GetFileName)
            .Where(name => name is not null && !WorkspaceFolders.IsIgnored(name))
            .Order(StringComparer.Ordinal);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', names)));
        return new FolderStamp(path, Convert.ToHexString(hash, 0, 12));
    }
}
