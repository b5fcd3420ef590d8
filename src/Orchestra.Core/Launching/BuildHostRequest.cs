namespace Orchestra.Launching;

/// <summary>
/// A rebuild the supervisor asks of its build host (the tool's hidden <c>__buildhost</c> command): one line of JSON on
/// the host's standard input. The host answers on standard output with a <see cref="RerunProgress"/> line as each
/// phase begins, then one <see cref="AnswerPrefix"/> line holding the <see cref="PreparedLaunch"/>; its other lines are
/// the build's own output, for people. The launch's environment is not in the request: it is the host's own, since
/// MSBuild reads environment variables as properties, so a launch from another shell gets a host of its own.
/// </summary>
/// <param name="Service">The service to build and plan.</param>
/// <param name="Command">The command that launched it (<see cref="LaunchOptions.Command"/>).</param>
/// <param name="Test">Build and run its unit tests after the build (<c>watch.test</c>); a failing one fails the rerun.</param>
public sealed record BuildHostRequest(string Service, string Command, bool KillOutside, bool Rerun, bool Docker, bool Test)
{
    /// <summary>What starts the line with the outcome; the JSON of the <see cref="PreparedLaunch"/> follows.</summary>
    public const string AnswerPrefix = "##orchestra-prepared ";

    /// <summary>The request that rebuilds <paramref name="service"/> for a launch with <paramref name="options"/>.</summary>
    public static BuildHostRequest For(string service, LaunchOptions options, bool test) =>
        new(service, options.Command, options.KillOutside, options.Rerun, options.Docker, test);

    /// <summary>The launch options the request carries, in the host's environment.</summary>
    public LaunchOptions Options(IReadOnlyDictionary<string, string> environment) => new(Command, environment)
    {
        KillOutside = KillOutside,
        Rerun = Rerun,
        Docker = Docker,
    };
}
