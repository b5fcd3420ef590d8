using System.Text.Json.Serialization;

namespace Orchestra.Launching;

/// <summary>
/// The outcome of building and evaluating services for a launch: the launch specs and which services were rebuilt;
/// or why nothing can be launched, as one sentence (<see cref="Failure"/>) and as the errors to show (the compiler's
/// <c>file(line,col): error …</c> lines, else that sentence). The hidden <c>__prepare</c> command writes it for the
/// supervisor.
/// </summary>
public sealed record PreparedLaunch(IReadOnlyList<LaunchSpec> Launch, IReadOnlyList<string> Rebuilt)
{
    public string? Failure { get; init; }
    public IReadOnlyList<string> Errors { get; init; } = [];

    [JsonIgnore]
    public bool Succeeded => Failure is null;

    public static PreparedLaunch Failed(string failure, IReadOnlyList<string> errors) =>
        new([], []) { Failure = failure, Errors = errors.Count > 0 ? errors : [failure] };
}
