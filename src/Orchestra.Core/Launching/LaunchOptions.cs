namespace Orchestra.Launching;

/// <summary>
/// The options of the <c>start</c> or <c>restart</c> that launched a service. They travel with its launch spec, so
/// that what the supervisor does later without being asked (a rerun on change) or when asked only for more replicas
/// (<c>scale</c>) is what that command asked for.
/// </summary>
/// <param name="Command">
/// The command whose <c>commands.&lt;cmd&gt;.env</c> applies to the replicas: <c>start</c> or <c>restart</c>.
/// </param>
/// <param name="Environment">
/// The environment of the shell the command ran in: the lowest layer of every replica's environment. It is carried
/// rather than taken from the supervisor, which runs on with the environment of whichever command started it.
/// </param>
public sealed record LaunchOptions(string Command, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Stop copies of the service running outside Orchestra before starting it (false: refuse, <c>--no-kill-outside</c>).</summary>
    public bool KillOutside { get; init; } = true;
    /// <summary>Rerun the service when its files change (false: <c>--noreload</c>).</summary>
    public bool Rerun { get; init; } = true;
    /// <summary>Run each .NET service's build output in a container on the workspace's Docker network (<c>--docker</c>).</summary>
    public bool Docker { get; init; }
}
