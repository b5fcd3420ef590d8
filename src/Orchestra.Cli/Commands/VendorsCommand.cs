using McMaster.Extensions.CommandLineUtils;
using Orchestra.Cli.Output;
using Orchestra.Discovery;
using Orchestra.Supervisor;
using Orchestra.Runtime.State;
using Orchestra.Supervisor.Control;
using Orchestra.Vendors.Containers;
using Orchestra.Vendors.Engine;
using Orchestra.Vendors.Vendors;

namespace Orchestra.Cli.Commands;

/// <summary><c>vendors up|down|ps|logs [name…]</c>: the workspace's vendors in Docker, without the services.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class VendorsCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command("vendors", vendors =>
        {
            vendors.Description = "Run the vendors of orchestra.yml (postgres, redis…) in Docker: up, down, ps, logs.";
            handlers[vendors] = _ =>
            {
                vendors.ShowHelp();
                return Task.FromResult(ExitCodes.Success);
            };
            vendors.Command("up", command =>
            {
                command.Description = "Create or reuse the vendors' containers, start them and wait until they are healthy.";
                var names = Names(command);
                handlers[command] = ct => context.RunInWorkspaceAsync("vendors", async (workspace, token) =>
                {
                    var request = new ControlRequest { Op = ControlOp.VendorsUp, Vendors = Selected(workspace, names), DockerHost = DockerHost(context) };
                    var supervisor = await context.Supervisor(workspace).EnsureRunningAsync(token);
                    var result = await supervisor.SendAsync(request, e => context.Host.Error.WriteLine($"{e.Service}: {e.Message}"), token);
                    if (result.Replicas.Count > 0)
                        StatusTables.WriteStarted(result.Replicas, context.CreateConsole());
                    if (result.Failure is { } failure)
                        throw new CommandFailedException(failure.Message);
                    return ExitCodes.Success;
                }, ct);
            }, throwOnUnexpectedArg: false);
            vendors.Command("down", command =>
            {
                command.Description = "Stop and remove the vendors' containers; their named volumes are kept unless --volumes.";
                var names = Names(command);
                var volumes = command.Option("--volumes", "Also remove the vendors' named volumes (their data).", CommandOptionType.NoValue);
                handlers[command] = ct => context.RunInWorkspaceAsync("vendors", async (workspace, token) =>
                {
                    await DownAsync(context, workspace, Selected(workspace, names), volumes.HasValue(), token);
                    return ExitCodes.Success;
                }, ct);
            }, throwOnUnexpectedArg: false);
            vendors.Command("ps", command =>
            {
                command.Description = "Show the vendors' containers: state, health, ports, image and uptime.";
                var names = Names(command);
                handlers[command] = ct => context.RunInWorkspaceAsync("vendors", async (workspace, token) =>
                {
                    var selected = Selected(workspace, names);
                    var supervised = await context.Supervisor(workspace).FindRunningAsync(token) is { } supervisor
                        ? (await supervisor.SendAsync(new ControlRequest { Op = ControlOp.Status, Services = selected }, _ => { }, token)).Replicas
                        : [];
                    using var engine = await DockerEngine.ConnectAsync(DockerEndpoint.From(DockerHost(context)), token);
                    var containers = (await new ContainerCatalog(engine).ListAsync(workspace.Root, token)).Where(c => selected.Contains(c.Service)).ToList();
                    StatusTables.WriteVendors(containers, supervised, DateTimeOffset.UtcNow, context.CreateConsole());
                    return ExitCodes.Success;
                }, ct);
            }, throwOnUnexpectedArg: false);
            vendors.Command("logs", command =>
            {
                command.Description = "Print the vendors' output, collected into .orchestra/logs/ like the services'.";
                var names = Names(command);
                var follow = command.Option("-f|--follow", "Keep printing new lines until Ctrl-C.", CommandOptionType.NoValue);
                handlers[command] = ct => context.RunInWorkspaceAsync("vendors", (workspace, token) =>
                    LogsCommand.VendorsAsync(context, workspace, Selected(workspace, names), follow.HasValue(), token), ct);
            }, throwOnUnexpectedArg: false);
        }, throwOnUnexpectedArg: false);
    }

    /// <summary>
    /// Stops and removes the vendors' containers: through the supervisor when one runs, so that it stops following
    /// them, then by label in Docker, which also finds those a killed supervisor left.
    /// </summary>
    public static async Task DownAsync(CommandContext context, Workspace workspace, IReadOnlyList<string> vendors, bool volumes, CancellationToken cancellationToken)
    {
        var supervisors = context.Supervisor(workspace);
        if (await supervisors.FindRunningAsync(cancellationToken) is { } supervisor)
        {
            var result = await supervisor.SendAsync(new ControlRequest { Op = ControlOp.VendorsDown, Vendors = vendors, RemoveVolumes = volumes, DockerHost = DockerHost(context) },
                e => context.Out.WriteLine($"{e.Service}: {e.Message}"), cancellationToken);
            if (result.Failure is { } failure)
                throw new CommandFailedException(failure.Message);
            await supervisors.ShutDownIfIdleAsync(Task.FromResult(supervisor));
        }
        using var engine = await DockerEngine.ConnectAsync(DockerEndpoint.From(DockerHost(context)), cancellationToken);
        foreach (var vendor in await new ContainerCatalog(engine).RemoveAllAsync(workspace.Root, vendors, volumes, cancellationToken))
            context.Out.WriteLine($"{vendor}: removed");
    }

    /// <summary>
    /// After <c>stop</c>: removes the containers of service replicas (<c>start --docker</c>) that a killed supervisor left,
    /// found by label. Asks the engine only when the state file records such a replica.
    /// </summary>
    public static async Task RemoveLeftReplicasAsync(CommandContext context, Workspace workspace, CancellationToken cancellationToken)
    {
        var vendors = workspace.Vendors.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        if (new StateStore(workspace.StateDirectory).Peek()?.Any(r => r.ContainerId is not null && !vendors.Contains(r.Service)) != true)
            return;
        try
        {
            using var engine = await DockerEngine.ConnectAsync(DockerEndpoint.From(DockerHost(context)), cancellationToken);
            var catalog = new ContainerCatalog(engine);
            foreach (var service in await catalog.RemoveReplicasAsync(workspace.Root, cancellationToken))
                context.Out.WriteLine($"{service}: container removed");
            await catalog.RemoveNetworkIfUnusedAsync(VendorContainers.NetworkOf(workspace), workspace.Root, cancellationToken);
        }
        catch (DockerUnavailableException)
        {
            // No engine: no container of it runs either.
        }
    }

    /// <summary>
    /// The workspace's vendor containers as Docker lists them, for <c>ps</c> when no supervisor runs; none when the
    /// workspace declares no vendor or no engine answers (the services do not need one).
    /// </summary>
    public static async Task<IReadOnlyList<ContainerEntry>> UnsupervisedAsync(CommandContext context, Workspace workspace, CancellationToken cancellationToken)
    {
        if (workspace.Vendors.Count == 0)
            return [];
        try
        {
            using var engine = await DockerEngine.ConnectAsync(DockerEndpoint.From(DockerHost(context)), cancellationToken);
            return (await new ContainerCatalog(engine).ListAsync(workspace.Root, cancellationToken)).Where(c => c.IsVendor).ToList();
        }
        catch (DockerUnavailableException)
        {
            return [];
        }
    }

    private static CommandArgument Names(CommandLineApplication command) =>
        command.Argument("VENDORS", "Vendors (default: all).", multipleValues: true);

    /// <summary>The named vendors, all when none are named; an unknown name is an error naming the known ones.</summary>
    private static IReadOnlyList<string> Selected(Workspace workspace, CommandArgument names)
    {
        var known = workspace.Vendors.Select(v => v.Name).ToList();
        if (names.Values.Count == 0)
            return known;
        foreach (var name in names.Values.OfType<string>())
        {
            if (!known.Contains(name))
                throw new UsageException(known.Count == 0
                    ? $"There is no vendor '{name}': orchestra.yml declares none."
                    : $"There is no vendor '{name}'; the vendors are {string.Join(", ", known)}.");
        }
        return names.Values.OfType<string>().Distinct().ToList();
    }

    private static string? DockerHost(CommandContext context) => context.Host.Environment.GetValueOrDefault("DOCKER_HOST");
}
