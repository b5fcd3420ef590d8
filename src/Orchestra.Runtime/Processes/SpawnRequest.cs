namespace Orchestra.Runtime.Processes;

/// <summary>
/// What to run for a replica. <see cref="Program"/> is a path or a name looked up on the PATH of
/// <see cref="Environment"/>; the child's stdout and stderr are appended to the two capture files.
/// </summary>
public sealed record SpawnRequest(
    string Program,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    string StdoutPath,
    string StderrPath);

/// <summary>A replica's process could not be started; the message is one sentence for the user.</summary>
public sealed class SpawnException(string message) : Exception(message);
