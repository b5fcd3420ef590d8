namespace Orchestra.Supervisor;

/// <summary>
/// .NET runtime settings for the supervisor process alone, which runs for hours and mostly waits: they trade a little
/// peak throughput for a smaller, quieter process. They go into the environment the supervisor is launched with (the
/// runtime reads several of them only from there, and runtimeconfig.json would apply to every CLI command too). The
/// replicas never see them: a replica's environment is resolved from the launching shell's, recorded in its launch
/// spec, and a rerun's build process gets exactly that environment too (<c>ServiceRebuilder</c>).
/// </summary>
public static class SupervisorRuntime
{
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        // A gen0 budget of 1 MiB, not one sized from the CPU's cache: the heap stays small however often `ps` asks.
        ["DOTNET_GCgen0size"] = "0x100000",
        // No background GC thread: the heap is small, and a blocking collection of it is short.
        ["DOTNET_gcConcurrent"] = "0",
        // Code stays at the tier it starts at (ReadyToRun as shipped, else quickly compiled): no call counting, and no
        // recompiling of hot methods on a background thread, which went on well into an idle fleet's first seconds.
        // Tiering itself stays on: without it, every method without ReadyToRun code is compiled fully optimised at start.
        ["DOTNET_TC_CallCounting"] = "0",
        // JIT code mapped once rather than twice (writable and executable views), which counted twice in RSS.
        ["DOTNET_EnableWriteXorExecute"] = "0",
        // Idle thread-pool workers go to sleep at once instead of spinning for work that rarely comes.
        ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
    };

    /// <summary>
    /// Settings the runtime takes from the process itself, for a process that is the supervisor and nothing else (not
    /// <c>start --attach</c>, which runs it inside the CLI): call before anything else runs. No code is generated at
    /// run time, so <see cref="System.Text.RegularExpressions.RegexOptions.Compiled"/> (YamlDotNet builds such a
    /// pattern for every workspace it reads) interprets its pattern instead of emitting IL and compiling it, which
    /// kept Reflection.Emit, the regex compiler and the compiled code in the supervisor for good.
    /// </summary>
    public static void ApplyToProcess() =>
        AppContext.SetSwitch("System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported", false);

    /// <summary>The environment to launch the supervisor with: the shell's, with <see cref="Settings"/> over it.</summary>
    public static IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string> shell)
    {
        var environment = new Dictionary<string, string>(shell, StringComparer.Ordinal);
        foreach (var (name, value) in Settings)
            environment[name] = value;
        return environment;
    }
}
