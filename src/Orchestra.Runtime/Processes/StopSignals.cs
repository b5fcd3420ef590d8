namespace Orchestra.Runtime.Processes;

/// <summary>The signal names <c>stop.signal</c> accepts and their Linux numbers (the same on x86-64 and arm64).</summary>
public static class StopSignals
{
    public const int Kill = 9;
    public const int Term = 15;

    private static readonly IReadOnlyDictionary<string, int> Numbers = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["SIGHUP"] = 1, ["SIGINT"] = 2, ["SIGQUIT"] = 3, ["SIGKILL"] = Kill,
        ["SIGUSR1"] = 10, ["SIGUSR2"] = 12, ["SIGTERM"] = Term,
    };

    /// <summary>The number of <paramref name="name"/> (<c>SIGTERM</c> or <c>TERM</c>); an unknown name falls back to SIGTERM rather than failing a stop.</summary>
    public static int Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return Term;
        var key = name.Trim();
        if (!key.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
            key = "SIG" + key;
        return Numbers.TryGetValue(key, out var number) ? number : Term;
    }

    public static string NameOf(int signal) =>
        Numbers.FirstOrDefault(p => p.Value == signal).Key ?? $"signal {signal}";
}
