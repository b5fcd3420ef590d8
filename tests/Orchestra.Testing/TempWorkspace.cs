namespace Orchestra.Testing;

/// <summary>
/// A workspace folder of its own under the temp folder, deleted on dispose. It holds only files: what a test project
/// adds on top (services of its kind, processes to clean up, a CLI to drive) wraps it.
/// </summary>
public sealed class TempWorkspace : IDisposable
{
    /// <param name="name">When given, an <c>orchestra.yml</c> naming the workspace is written, so that it loads as one.</param>
    public TempWorkspace(string? name = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "orchestra-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        if (name is not null)
            Write("orchestra.yml", $"name: {name}\n");
    }

    public string Root { get; }

    public string ConfigPath => PathOf("orchestra.yml");

    /// <summary>The workspace's <c>.orchestra</c> folder (not created here: the product makes it, with its mode).</summary>
    public string StateDirectory => PathOf(".orchestra");

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Writes a file relative to the root, creating folders; returns its full path.</summary>
    public string Write(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A straggler still writing, or a folder a test made read-only: the temp folder is cleaned eventually.
        }
    }
}
