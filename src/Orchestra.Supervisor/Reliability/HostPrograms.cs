namespace Orchestra.Supervisor.Reliability;

/// <summary>
/// Programs that run other programs' files: the .NET host, interpreters, shells. Every user of the machine runs
/// them, so one of them never identifies a service; what it runs may.
/// </summary>
public static class HostPrograms
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "dotnet", "node", "nodejs", "deno", "bun", "python", "python2", "python3", "pypy", "pypy3", "java", "ruby", "perl",
        "php", "pwsh", "sh", "bash", "dash", "zsh", "ksh", "fish", "busybox", "env", "mono",
    };

    /// <summary>True when <paramref name="program"/> (a name or a path) is a host program, versioned ones included (python3.11).</summary>
    public static bool Names(string program)
    {
        var name = Path.GetFileName(program);
        if (name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
            name = name[..^4];
        var unversioned = name.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.');
        return Known.Contains(name) || Known.Contains(unversioned);
    }
}
