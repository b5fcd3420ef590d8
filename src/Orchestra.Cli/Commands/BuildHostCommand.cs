using McMaster.Extensions.CommandLineUtils;
using Orchestra.Build.Testing;
using Orchestra.Cli.BuildHost;
using Orchestra.Cli.Output;
using Orchestra.Launching;
using Orchestra.Supervisor;

namespace Orchestra.Cli.Commands;

/// <summary>
/// The hidden command the supervisor runs as its build host: a long-lived process that rebuilds services whose files
/// changed, one request at a time (<see cref="BuildHostLoop"/>), so that MSBuild stays loaded and warm between reruns
/// and still never loads in the supervisor. Each request plans as the command that launched the service did, in this
/// process's environment (the launching shell's); with <see cref="BuildHostRequest.Test"/> it then builds and runs
/// the service's unit tests as <c>test</c> does, and a failing one fails the preparation.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class BuildHostCommand
{
    public const string Name = SupervisorHost.BuildHostCommandName;

    /// <summary>How long a host with nothing to build keeps MSBuild's memory before it ends.</summary>
    private static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(10);

    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command(Name, command =>
        {
            command.ShowInHelpText = false;
            var idle = command.Option<int>("--idle-seconds", "End after this many seconds with no request.", CommandOptionType.SingleValue);
            handlers[command] = async ct =>
            {
                var configPath = context.ConfigPath();
                var timeout = idle.HasValue() ? TimeSpan.FromSeconds(idle.ParsedValue) : DefaultIdleTimeout;
                using var input = new StreamReader(Console.OpenStandardInput());
                await new BuildHostLoop(input, context.Out, timeout).RunAsync((request, entering, token) => PrepareAsync(context, configPath, request, entering, token), ct);
                return ExitCodes.Success;
            };
        });
    }

    /// <summary>The outcome of one request; a failure that stops it (a configuration error, no SDK) is its answer, and the host serves on.</summary>
    private static async Task<PreparedLaunch> PrepareAsync(CommandContext context, string configPath, BuildHostRequest request, Action<RerunPhase> entering, CancellationToken cancellationToken)
    {
        try
        {
            return await PrepareServiceAsync(context, configPath, request, entering, cancellationToken);
        }
        catch (Errors.OrchestraException e)
        {
            return PreparedLaunch.Failed(string.Join(" ", e.Lines), [.. e.Lines]);
        }
    }

    private static async Task<PreparedLaunch> PrepareServiceAsync(CommandContext context, string configPath, BuildHostRequest request, Action<RerunPhase> entering, CancellationToken cancellationToken)
    {
        // The configuration as it is now (a rerun applies service.yml's changes); no hooks: they wrap the commands a
        // person types, and this runs on every save of a file.
        var workspace = Discovery.WorkspaceLoader.Load(configPath);
        if (workspace.FindService(request.Service) is not { } service)
            return PreparedLaunch.Failed($"Service '{request.Service}' is no longer in the workspace.", []);
        entering(RerunPhase.Building);
        var prepared = await LaunchArguments.PlanAsync(context, workspace, [service], request.Options(context.Host.Environment), build: true, cancellationToken);
        if (!prepared.Succeeded || !request.Test)
            return prepared;
        entering(RerunPhase.Testing);
        var builds = new BuildProgressView(context.CreateConsole(), interactive: false);
        var run = new UnitTestRun(workspace, new TestProgressView(context.CreateConsole(), builds, verbose: false));
        var summary = await run.RunAsync([service], new UnitTestOptions(null, TestCommand.Environment(context, workspace)), cancellationToken);
        return summary.Succeeded
            ? prepared
            : PreparedLaunch.Failed($"the unit tests of {service.Name} did not pass.", summary.Problems(), RerunPhase.Testing);
    }
}
