using Orchestra.Variables;

namespace Orchestra.Cli;

/// <summary>
/// What the CLI reads from and writes to outside itself. Tests run the whole CLI in-process with their own host.
/// </summary>
/// <param name="Environment">
/// The environment of the shell the command runs in: the CLI's own settings (<c>NO_COLOR</c>, the workspace
/// variable) come from it, and it is the environment the replicas a command launches inherit.
/// </param>
public sealed record CliHost(
    TextWriter Out,
    TextWriter Error,
    string CurrentDirectory,
    IReadOnlyDictionary<string, string> Environment,
    bool IsTerminal)
{
    public static CliHost FromProcess() => new(
        Console.Out,
        Console.Error,
        Directory.GetCurrentDirectory(),
        ProcessEnvironment.Read(),
        !Console.IsOutputRedirected);
}
