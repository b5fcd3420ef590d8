namespace Orchestra.Testing;

/// <summary>The folder of this repository, found by walking up from the test binaries to Orchestra.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Orchestra.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Orchestra.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Copies a folder of the repository, leaving out build output and state.</summary>
    public static void CopyFolder(string relative, string destination)
    {
        var source = System.IO.Path.Combine(Path, relative);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var part = System.IO.Path.GetRelativePath(source, file);
            if (part.Split(System.IO.Path.DirectorySeparatorChar).Any(s => s is "bin" or "obj" or ".orchestra"))
                continue;
            var target = System.IO.Path.Combine(destination, part);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
