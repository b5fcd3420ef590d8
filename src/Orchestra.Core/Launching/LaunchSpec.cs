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
}
