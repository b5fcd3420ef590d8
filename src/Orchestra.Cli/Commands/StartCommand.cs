using McMaster.Extensions.CommandLineUtils;
using Orchestra.Cli.Output;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Launching;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli.Commands;

/// <summary><c>start</c> and <c>restart</c>: build, then have the supervisor run the selection until it is healthy.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class StartCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        foreach (var (name, op, description) in new[]
        {
            ("start", ControlOp.Start, "Build and start the selected services (default: all, with their dependencies) and return once they are healthy."),
            ("restart", ControlOp.Restart, "Rebuild if needed and replace the replicas of the selected services."),
        })
        {
            app.Command(name, command =>
            {
                command.Description = description;
                var services = command.ServicesArgument();
                var noBuild = command.Option("--no-build", "Run what was built last; do not build.", CommandOptionType.NoValue);
                var follow = command.Option("-l|--logs", "Follow the logs after starting; Ctrl-C only detaches.", CommandOptionType.NoValue);
                var attach = op == ControlOp.Start
                    ? command.Option("-a|--attach", "Run the supervisor in the foreground with the logs; Ctrl-C stops the fleet, a second Ctrl-C kills it.", CommandOptionType.NoValue)
                    : null;
                var scale = op == ControlOp.Start
                    ? command.Option("--scale <COUNT>", "Replicas, overriding scale: in service.yml: N for the named services (default: all), or svc=N; repeatable.", CommandOptionType.MultipleValue)
                    : null;
                var launch = LaunchArguments.Register(command);
                var noVendors = op == ControlOp.Start
                    ? command.Option("--no-vendors", "Do not bring up the vendors the services depend on.", CommandOptionType.NoValue)
                    : null;
                var keepFailed = op == ControlOp.Start
                    ? command.Option("--keep-failed", "When the start fails, leave what it started running (default: stop it again).", CommandOptionType.NoValue)
                    : null;
                (IReadOnlyList<ServiceDefinition> Selected, StartSettings Settings) Plan(Workspace workspace)
                {
                    var named = services.Selected(workspace);
                    var selected = op == ControlOp.Start ? DependencyOrder.WithDependencies(workspace, named) : named;
                    return (selected, new StartSettings(!noBuild.HasValue(), launch.Options(name, context), ScaleArguments.Parse(scale?.Values ?? [], workspace, named))
                    {
                        KeepFailed = keepFailed?.HasValue() == true,
                        Vendors = noVendors?.HasValue() != false ? [] : VendorSelection.ForStart(workspace, selected, everything: services.Values.Count == 0),
                        DockerHost = context.Host.Environment.GetValueOrDefault("DOCKER_HOST"),
                    });
                }
                handlers[command] = ct => attach?.HasValue() == true
                    ? context.RunInWorkspaceAsync(name, (workspace, token) =>
                    {
                        var (selected, settings) = Plan(workspace);
                        return AttachedAsync(context, workspace, selected, settings, token);
                    }, ct)
                    : context.RunWithSupervisorAsync(name, async (workspace, starting, token) =>
                    {
                        var (selected, settings) = Plan(workspace);
                        var began = DateTimeOffset.UtcNow;
                        var code = await RunAsync(context, workspace, starting, selected, op, settings, token);
                        if (code == ExitCodes.Success && follow.HasValue())
                            return await LogsCommand.FollowAsync(context, workspace, selected.Select(s => s.Name).ToList(), began, token);
                        return code;
                    }, ct);
            }, throwOnUnexpectedArg: false);
        }
    }

    /// <summary>
    /// <c>start --attach</c>: the supervisor runs inside this process, so the fleet lives exactly as long as the
    /// command; its logs follow until Ctrl-C stops the fleet (a second Ctrl-C kills it).
    /// </summary>
    private static async Task<int> AttachedAsync(CommandContext context, Workspace workspace, IReadOnlyList<ServiceDefinition> selected, StartSettings settings, CancellationToken cancellationToken)
    {
        var began = DateTimeOffset.UtcNow;
        var supervisors = context.Supervisor(workspace);
        if (await supervisors.FindRunningAsync(cancellationToken) is not null)
            throw new UsageException(AlreadyRunning);
        if (await LaunchArguments.PlanAsync(context, workspace, selected, settings.Options, settings.Build, cancellationToken) is not { Succeeded: true, Launch: var specs })
            return ExitCodes.Failure;

        await using var supervisor = await supervisors.AttachAsync(context.Host.Error, cancellationToken) ?? throw new UsageException(AlreadyRunning);
        var code = await SendAsync(context, supervisor, new ControlRequest
        {
            Op = ControlOp.Start, Services = selected.Select(s => s.Name).ToList(), Launch = specs, Scales = settings.Scales, Vendors = settings.Vendors, DockerHost = settings.DockerHost,
        }, cancellationToken);
        if (code != ExitCodes.Success)
            return code;
        // The logs follow until the supervisor ends, not until the Ctrl-C: the supervisor handles it (and the command's
        // cancellation reaches it too) by stopping the fleet, whose last lines, written as it stops, must still print.
        using var ended = new CancellationTokenSource();
        var logs = LogsCommand.FollowAsync(context, workspace, selected.Select(s => s.Name).ToList(), began, CancellationToken.None, until: ended.Token);
        await supervisor.Completion;
        await ended.CancelAsync();
        await logs;
        return ExitCodes.Success;
    }

    private const string AlreadyRunning = "A supervisor already runs this workspace in the background; stop it first, or follow it with 'dotnet orchestra logs -f'.";

    /// <summary>
    /// A plain <c>start</c> of the whole workspace, its vendors included, without watching files: the fleet that
    /// <c>test --acceptance</c> runs against when none runs.
    /// </summary>
    public static Task<int> StartFleetAsync(CommandContext context, Workspace workspace, CancellationToken cancellationToken)
    {
        var selected = DependencyOrder.WithDependencies(workspace, workspace.Services);
        // Nothing is edited while the tests run, so no file watcher is worth its cost.
        var options = new LaunchOptions("start", context.Host.Environment) { Rerun = false };
        var settings = new StartSettings(Build: true, options, new Dictionary<string, int>())
        {
            Vendors = VendorSelection.ForStart(workspace, selected, everything: true),
            DockerHost = context.Host.Environment.GetValueOrDefault("DOCKER_HOST"),
        };
        return RunAsync(context, workspace, context.Supervisor(workspace).EnsureRunningAsync(cancellationToken), selected, ControlOp.Start, settings, cancellationToken);
    }

    /// <param name="starting">The supervisor, already starting: its start overlaps the build and evaluation instead of following them.</param>
    private static async Task<int> RunAsync(CommandContext context, Workspace workspace, Task<ControlClient> starting, IReadOnlyList<ServiceDefinition> selected, ControlOp op, StartSettings settings, CancellationToken cancellationToken)
    {
        if (await LaunchArguments.PlanAsync(context, workspace, selected, settings.Options, settings.Build, cancellationToken) is not { Succeeded: true, Launch: var specs, Rebuilt: var rebuilt })
        {
            await context.Supervisor(workspace).ShutDownIfIdleAsync(starting);
            return ExitCodes.Failure;
        }
        var supervisor = await starting;
        var request = new ControlRequest { Op = op, Services = selected.Select(s => s.Name).ToList(), Launch = specs, Rebuilt = rebuilt, Scales = settings.Scales, KeepOnFailure = settings.KeepFailed,
            Vendors = settings.Vendors, DockerHost = settings.DockerHost, WorkspaceReadAt = workspace.ReadAt,
        };
        return await SendAsync(context, supervisor, request, cancellationToken);
    }

    private static async Task<int> SendAsync(CommandContext context, IControlClient supervisor, ControlRequest request, CancellationToken cancellationToken)
    {
        var result = await supervisor.SendAsync(request, e => context.Host.Error.WriteLine($"{e.Service}: {e.Message}"), cancellationToken);

        var console = context.CreateConsole();
        if (result.Replicas.Count > 0)
            StatusTables.WriteStarted(result.Replicas, console);
        if (result.Failure is not { } failure)
            return ExitCodes.Success;
        context.Host.Error.WriteLine($"error: {failure.Message}");
        foreach (var replica in result.Replicas.Where(r => r.LastLines.Count > 0))
        {
            context.Host.Error.WriteLine($"The last lines of {replica.Service}.{replica.Replica}:");
            foreach (var line in replica.LastLines)
                context.Host.Error.WriteLine("  " + line);
        }
        return (int)failure.Kind;
    }
}

/// <summary>The options of <c>start</c> and <c>restart</c> that shape what is sent to the supervisor.</summary>
internal sealed record StartSettings(bool Build, LaunchOptions Options, IReadOnlyDictionary<string, int> Scales)
{
    /// <summary>Leave what a failed start started running.</summary>
    public bool KeepFailed { get; init; }
    /// <summary>The vendors to bring up before the services.</summary>
    public IReadOnlyList<string> Vendors { get; init; } = [];
    /// <summary>The invoking shell's <c>DOCKER_HOST</c>.</summary>
    public string? DockerHost { get; init; }
}
