namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>Which entries of a state folder others could read: every folder must be 0700 and every file 0600.</summary>
public static class PrivateFiles
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The entries (the folder itself included) with any other mode, as "relative/path mode".</summary>
    public static IReadOnlyList<string> Loose(string stateDirectory) =>
        Directory.EnumerateFileSystemEntries(stateDirectory, "*", SearchOption.AllDirectories)
            .Prepend(stateDirectory)
            // The control socket's mode is the kernel's business: connecting needs the folder, which is 0700.
            .Where(path => Path.GetFileName(path) != "supervisor.sock")
            .Select(path => new FileInfo(path))
            .Where(info => info.UnixFileMode != (info.Attributes.HasFlag(FileAttributes.Directory) ? Folder : File))
            .Select(info => $"{Path.GetRelativePath(stateDirectory, info.FullName)} {Convert.ToString((int)info.UnixFileMode, 8)}")
            .ToList();
}
