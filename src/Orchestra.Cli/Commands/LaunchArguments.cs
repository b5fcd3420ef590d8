using McMaster.Extensions.CommandLineUtils;
using Orchestra.Build.Launching;
using Orchestra.Cli.Output;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Launching;

namespace Orchestra.Cli.Commands;

/// <summary>
/// The options that shape how a launched service runs (<c>--no-kill-outside</c>, <c>--noreload</c>, <c>--docker</c>), parsed alike
/// by <c>start</c>, <c>restart</c> and the supervisor's <c>__prepare</c>, which passes on what the launch asked.
/// </summary>
internal sealed class LaunchArguments(CommandOption noKillOutside, CommandOption noReload, CommandOption docker)
{
    public static LaunchArguments Register(CommandLineApplication command) => new(
        command.Option("--no-kill-outside", "Refuse to start a service that already runs outside Orchestra, instead of stopping that copy.", CommandOptionType.NoValue),
        command.Option("--noreload", "Do not rebuild and rerun a service when its files change.", CommandOptionType.NoValue),
        command.Option("--docker", "Run each .NET service's build output in a container, on the workspace's Docker network with the vendors.", CommandOptionType.NoValue));

    /// <summary>The options of a launch by <paramref name="command"/> from the shell of <paramref name="context"/>.</summary>
    public LaunchOptions Options(string command, CommandContext context) => new(command, context.Host.Environment)
    {
        KillOutside = !noKillOutside.HasValue(),
        Rerun = !noReload.HasValue(),
        Docker = docker.HasValue(),
    };

    /// <summary>
    /// Plans the launch of <paramref name="services"/> with the build shown as it goes; a failure is said on
    /// standard error.
    /// </summary>
    public static async Task<PreparedLaunch> PlanAsync(CommandContext context, Workspace workspace, IReadOnlyList<ServiceDefinition> services, LaunchOptions options, bool build, CancellationToken cancellationToken)
    {
        var view = new BuildProgressView(context.CreateConsole(), context.Host.IsTerminal);
        var prepared = await view.ShowAsync(() => new LaunchPlanner(workspace, view).PlanAsync(services, options, build, cancellationToken));
        if (prepared.Failure is { } failure)
            context.Host.Error.WriteLine($"error: {failure.TrimEnd('.')}, so nothing was started.");
        return prepared;
    }
}
