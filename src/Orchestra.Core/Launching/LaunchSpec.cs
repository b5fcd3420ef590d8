namespace Orchestra.Launching;

/// <summary>
/// What the built program of a service is, and how the command that built it wants it run: the CLI evaluates and
/// builds, the supervisor only runs. <see cref="Command"/> is the program and its arguments; <see cref="BuiltFiles"/>
/// are the files a copy of the service running outside Orchestra would name (its apphost and DLL).
/// </summary>
public sealed record LaunchSpec(string Service, IReadOnlyList<string> Command, IReadOnlyList<string> BuiltFiles)
{
    public required LaunchOptions Options { get; init; }
    /// <summary>The files whose change means a rebuild (the evaluation's items and project files); none for a command service.</summary>
    public IReadOnlyList<string> WatchFiles { get; init; } = [];
    /// <summary>
    /// Which build of the program this is (its built file's time and size), or null when that cannot be known. A
    /// replica started from another build is replaced by the next start, even when nothing needs building: a build
    /// may have finished after the replica started, e.g. a rerun's build whose supervisor was killed meanwhile.
    /// </summary>
    public string? Build { get; init; }
    /// <summary>Where the program runs when not in the service's folder: the project's <c>RunWorkingDirectory</c>, as <c>dotnet run</c> would.</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>How it runs in a container (<c>start --docker</c>); null when it runs as a process.</summary>
    public ContainerLaunch? Container { get; init; }
}

/// <summary>
/// A service's build output run in a container: <see cref="OutputDirectory"/> is bind-mounted read-only at
/// <see cref="MountPoint"/>, and <see cref="Command"/> runs the program from there.
/// </summary>
/// <param name="Image">service.yml's <c>docker.image</c>, else the .NET runtime image of the target framework.</param>
public sealed record ContainerLaunch(string Image, string OutputDirectory, IReadOnlyList<string> Command)
{
    public const string MountPoint = "/app";

    /// <summary>
    /// The launch of a project's build output: <c>dotnet /app/&lt;name&gt;.dll</c> from the folder of
    /// <paramref name="targetPath"/>, in <paramref name="image"/> if given, else Microsoft's ASP.NET Core image for a
    /// project that uses ASP.NET Core or its runtime image otherwise, of the framework's version (<c>net10.0</c> → <c>10.0</c>).
    /// </summary>
    public static ContainerLaunch ForProject(string? image, string targetPath, string targetFramework, bool aspNetCore) => new(
        image ?? $"mcr.microsoft.com/dotnet/{(aspNetCore ? "aspnet" : "runtime")}:{FrameworkVersion(targetFramework)}",
        Path.GetDirectoryName(targetPath)!,
        ["dotnet", $"{MountPoint}/{Path.GetFileName(targetPath)}"]);

    /// <summary><c>net10.0</c> (or <c>net10.0-linux</c>) → <c>10.0</c>.</summary>
    private static string FrameworkVersion(string targetFramework)
    {
        var version = targetFramework.StartsWith("net", StringComparison.OrdinalIgnoreCase) ? targetFramework[3..] : targetFramework;
        var dash = version.IndexOf('-');
        return dash >= 0 ? version[..dash] : version;
    }
}
