namespace Orchestra.Runtime.Processes;

/// <summary>Finds the file to execute the way a shell would: a name with a slash is a path (relative to the working directory), any other name is looked up on PATH.</summary>
internal static class ProgramResolver
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static string Resolve(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        if (string.IsNullOrEmpty(program))
            throw new SpawnException("The command to run is empty.");
        if (program.Contains('/'))
        {
            var path = Path.GetFullPath(program, workingDirectory);
            return IsExecutable(path) ? path : throw new SpawnException($"'{program}' is not an executable file.");
        }
        var searchPath = environment.TryGetValue("PATH", out var value) ? value : "/usr/local/bin:/usr/bin:/bin";
        foreach (var directory in searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(Path.GetFullPath(directory, workingDirectory), program);
            if (IsExecutable(candidate))
                return candidate;
        }
        throw new SpawnException($"'{program}' was not found on PATH.");
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & AnyExecute) != 0);
}
