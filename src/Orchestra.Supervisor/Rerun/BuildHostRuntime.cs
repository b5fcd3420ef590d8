namespace Orchestra.Supervisor.Rerun;

/// <summary>
/// .NET runtime settings for the build host process alone. MSBuild's code in the host starts as ReadyToRun and tiers
/// up over the first reruns; tiered PGO's instrumented tier in between cost about half the host's own CPU per rerun
/// (0.52 s against 0.26 s on the bench's API), on the cores the compiler it waits for runs on. The runtime reads the
/// settings from the environment as the host starts; the host then removes them from its own environment
/// (<see cref="RemoveFromProcess"/>) before anything reads it, so that MSBuild, which reads environment variables as
/// properties, the compilers it starts and the launch specs it plans see exactly the launching shell's environment.
/// A setting the shell has itself is the user's: it is neither replaced nor removed.
/// </summary>
public static class BuildHostRuntime
{
    /// <summary>Names the variables the supervisor added, for the host to remove.</summary>
    public const string AddedVariable = "ORCHESTRA_BUILDHOST_RUNTIME";

    private static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["DOTNET_TieredPGO"] = "0",
    };

    /// <summary>The environment to start the host in: the shell's, with the settings it lacks and their names.</summary>
    public static IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string> shell)
    {
        var environment = new Dictionary<string, string>(shell, StringComparer.Ordinal);
        var added = Settings.Where(setting => !shell.ContainsKey(setting.Key)).ToList();
        foreach (var (name, value) in added)
            environment[name] = value;
        if (added.Count > 0)
            environment[AddedVariable] = string.Join(';', added.Select(setting => setting.Key));
        return environment;
    }

    /// <summary>Removes from this process's environment what <see cref="Environment"/> added; nothing in any other process.</summary>
    public static void RemoveFromProcess()
    {
        if (System.Environment.GetEnvironmentVariable(AddedVariable) is not { } added)
            return;
        foreach (var name in added.Split(';', StringSplitOptions.RemoveEmptyEntries).Append(AddedVariable))
            System.Environment.SetEnvironmentVariable(name, null);
    }
}
