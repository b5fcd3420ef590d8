using McMaster.Extensions.CommandLineUtils;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Selection;
using Orchestra.State;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;
using Orchestra.Variables;
using Spectre.Console;

namespace Orchestra.Cli.Commands;

/// <summary><c>env SERVICE</c>: the environment a replica of the service gets, with where each variable came from.</summary>
internal static class EnvCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command("env", command =>
        {
            command.Description = "Print the environment a service runs with. Secrets are masked unless --show-secrets.";
            var serviceArgument = command.Argument("SERVICE", "The service.");
            var export = command.Option("--export", "Print shell 'export NAME=value' lines, for eval in a POSIX shell; secrets are left out unless --show-secrets.", CommandOptionType.NoValue);
            var showSecrets = command.Option("--show-secrets", "Print secret values instead of ****.", CommandOptionType.NoValue);
            var all = command.Option("--all", "Include the variables passed through unchanged from Orchestra's own environment.", CommandOptionType.NoValue);
            var forCommand = command.Option("--for <COMMAND>", "Resolve as this command would (its commands.<name>.env applies); default start.", CommandOptionType.SingleValue);
            handlers[command] = ct => context.RunInWorkspaceAsync("env", async (workspace, token) =>
            {
                var commandName = forCommand.Value() ?? "start";
                if (!WorkspaceConfigReader.CommandNames.Contains(commandName))
                    throw new UsageException($"--for takes one of {string.Join(", ", WorkspaceConfigReader.CommandNames)}, got '{commandName}'.");
                if (serviceArgument.Value is not { } name)
                    throw new UsageException($"Name the service whose environment to print: {string.Join(", ", workspace.Services.Select(s => s.Name))}.");
                var service = ServiceSelector.Select(workspace, [name])[0];
                // Behind the port proxy a replica listens on a port of its own, chosen as it starts: a running one's is the truth.
                var running = service.UsesProxy ? await RunningReplicaAsync(context, workspace, service.Name, token) : null;
                var vendorPorts = new VendorPortAssignments(workspace.StateDirectory).Known(workspace.Vendors);
                var environment = new EnvironmentResolver(workspace, context.Host.Environment, vendorPorts).Resolve(service, commandName, running?.Replica ?? 0, running?.Port);
                var variables = (all.HasValue() ? environment.Variables : environment.Configured).ToList();
                string Shown(ResolvedVariable v) => showSecrets.HasValue() ? v.Value : SecretMasker.MaskValue(v.Name, v.Value);
                var note = PublicNote(service, running);

                if (export.HasValue())
                {
                    WriteExports(variables, Shown, context);
                    if (note is not null)
                        context.Host.Error.WriteLine($"# {note}");
                }
                else
                {
                    WriteTable(variables, Shown, context.CreateConsole());
                    if (note is not null)
                        context.Out.WriteLine(note);
                }
                return ExitCodes.Success;
            }, ct);
        }, throwOnUnexpectedArg: false);
    }

    /// <summary>
    /// The lowest-numbered replica of the service that runs now, as the supervisor tells; null when none does, or
    /// no supervisor runs (none is started for this), or off Linux, where Orchestra runs nothing yet.
    /// </summary>
    private static async Task<ReplicaStatus?> RunningReplicaAsync(CommandContext context, Workspace workspace, string service, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || await context.Supervisor(workspace).FindRunningAsync(cancellationToken) is not { } supervisor)
            return null;
        try
        {
            var status = await supervisor.SendAsync(new ControlRequest { Op = ControlOp.Status, Services = [service] }, _ => { }, cancellationToken);
            return status.Replicas.Where(r => r.Service == service && r.Pid is not null && r.Port is not null).MinBy(r => r.Replica);
        }
        catch (SupervisorUnavailableException)
        {
            // It ended between the ping and the question: nothing runs.
            return null;
        }
    }

    /// <summary>Where a service behind the port proxy is reached, which its replicas' PORT is not.</summary>
    private static string? PublicNote(ServiceDefinition service, ReplicaStatus? running) =>
        !service.UsesProxy ? null
        : $"public: http://127.0.0.1:{service.Port}, the port proxy in front of the replicas; " + (running is { } replica
            ? $"PORT is the own port of replica {replica.Replica} (pid {replica.Pid}), which runs now."
            : "each replica listens on a free port chosen at its start.");

    /// <summary>
    /// The export lines, leaving out what a shell cannot name and what would mislead whatever runs in that shell: a
    /// <c>****</c> for a secret not shown, a placeholder for a port that only a replica's start, or a vendor's first
    /// start, chooses.
    /// </summary>
    private static void WriteExports(IEnumerable<ResolvedVariable> variables, Func<ResolvedVariable, string> shown, CommandContext context)
    {
        var secrets = new List<string>();
        var unknownPorts = new List<string>();
        var unknownVendorPorts = new List<string>();
        foreach (var variable in variables)
        {
            var value = shown(variable);
            if (!ShellQuoting.IsShellName(variable.Name))
                context.Host.Error.WriteLine($"# {variable.Name} is left out: a POSIX shell cannot name it.");
            else if (value != variable.Value)
                secrets.Add(variable.Name);
            else if (value.Contains(EnvironmentResolver.PortChosenAtStart, StringComparison.Ordinal))
                unknownPorts.Add(variable.Name);
            else if (value.Contains(EnvironmentResolver.VendorPortChosenAtStart, StringComparison.Ordinal))
                unknownVendorPorts.Add(variable.Name);
            else
                context.Out.WriteLine(ShellQuoting.Export(variable.Name, value));
        }
        NoteLeftOut(secrets, "holding secrets (--show-secrets exports them)", context.Host.Error);
        NoteLeftOut(unknownPorts, "naming the port of a replica, chosen at its start (none runs now)", context.Host.Error);
        NoteLeftOut(unknownVendorPorts, "naming the host port of a vendor, chosen at its first start (not yet)", context.Host.Error);
    }

    private static void NoteLeftOut(IReadOnlyList<string> names, string why, TextWriter error)
    {
        if (names.Count > 0)
            error.WriteLine($"# Left out as {why}: {string.Join(", ", names)}.");
    }

    private static void WriteTable(IEnumerable<ResolvedVariable> variables, Func<ResolvedVariable, string> shown, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("NAME", "VALUE", "FROM");
        foreach (var variable in variables)
            table.AddRow(Markup.Escape(variable.Name), Markup.Escape(shown(variable)), Markup.Escape(variable.Source));
        console.Write(table);
    }
}
