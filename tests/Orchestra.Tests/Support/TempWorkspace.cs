namespace Orchestra.Tests.Support;

/// <summary>A workspace folder under the temp folder, deleted on dispose.</summary>
public sealed class TempWorkspace : IDisposable
{
    public TempWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "orchestra-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string ConfigPath => Path.Combine(Root, "orchestra.yml");

    /// <summary>Writes a file relative to the root, creating folders; returns its full path.</summary>
    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A service folder with a service.yml and, unless told otherwise, one project file.</summary>
    public string Service(string folder, string yaml = "", bool withProject = true)
    {
        if (withProject)
            Write($"{folder}/{Path.GetFileName(folder)}.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>");
        return Write($"{folder}/service.yml", yaml);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process a test started may still hold a file for a moment; the temp folder is cleaned eventually.
        }
    }
}
