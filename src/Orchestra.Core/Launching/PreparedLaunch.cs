using System.Text.Json.Serialization;

namespace Orchestra.Launching;

/// <summary>
/// The outcome of building and evaluating services for a launch: the launch specs and which services were rebuilt;
/// or why nothing can be launched, as one sentence (<see cref="Failure"/>) and as the errors to show (the compiler's
/// <c>file(line,col): error …</c> lines, or each failing unit test as <c>name: message</c>, else that sentence), and in
/// which phase it failed. The hidden <c>__prepare</c> command writes it for the supervisor.
/// </summary>
public sealed record PreparedLaunch(IReadOnlyList<LaunchSpec> Launch, IReadOnlyList<string> Rebuilt)
{
    public string? Failure { get; init; }
    public IReadOnlyList<string> Errors { get; init; } = [];
    /// <summary>Where a failed preparation stopped: the service's build, or its unit tests (a rerun with <c>watch.test</c>).</summary>
    public RerunPhase FailedIn { get; init; } = RerunPhase.Building;

    [JsonIgnore]
    public bool Succeeded => Failure is null;

    public static PreparedLaunch Failed(string failure, IReadOnlyList<string> errors, RerunPhase failedIn = RerunPhase.Building) =>
        new([], []) { Failure = failure, Errors = errors.Count > 0 ? errors : [failure], FailedIn = failedIn };
}
