namespace Orchestra.Cli;

/// <summary>
/// What the CLI reads from and writes to outside itself. Tests run the whole CLI in-process with their own host.
/// </summary>
public sealed record CliHost(
    TextWriter Out,
    TextWriter Error,
    string CurrentDirectory,
    Func<string, string?> GetEnvironmentVariable,
    bool IsTerminal)
{
    public static CliHost FromProcess() => new(
        Console.Out,
        Console.Error,
        Directory.GetCurrentDirectory(),
        Environment.GetEnvironmentVariable,
        !Console.IsOutputRedirected);
}
