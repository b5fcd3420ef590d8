namespace Orchestra.Supervisor;

/// <summary>
/// A process to start: the program and its arguments. The tool that embeds the supervisor gives itself as one, and
/// the supervisor and its rebuilds run as that tool with one of its hidden commands.
/// </summary>
public sealed record ProcessCommand(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>This tool running its hidden <paramref name="command"/> for the workspace of <paramref name="configPath"/>.</summary>
    public ProcessCommand Running(string command, string configPath) => this with { Arguments = [.. Arguments, command, "--config", configPath] };
}
