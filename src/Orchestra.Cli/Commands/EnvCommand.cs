using McMaster.Extensions.CommandLineUtils;
using Orchestra.Configuration;
using Orchestra.Selection;
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
            handlers[command] = ct => context.RunInWorkspaceAsync("env", (workspace, _) =>
            {
                var commandName = forCommand.Value() ?? "start";
                if (!WorkspaceConfigReader.CommandNames.Contains(commandName))
                    throw new UsageException($"--for takes one of {string.Join(", ", WorkspaceConfigReader.CommandNames)}, got '{commandName}'.");
                if (serviceArgument.Value is not { } name)
                    throw new UsageException($"Name the service whose environment to print: {string.Join(", ", workspace.Services.Select(s => s.Name))}.");
                var service = ServiceSelector.Select(workspace, [name])[0];
                var environment = new EnvironmentResolver(workspace).Resolve(service, commandName);
                var variables = (all.HasValue() ? environment.Variables : environment.Configured).ToList();
                string Shown(ResolvedVariable v) => showSecrets.HasValue() ? v.Value : SecretMasker.MaskValue(v.Name, v.Value);

                if (export.HasValue())
                    WriteExports(variables, Shown, context);
                else
                    WriteTable(variables, Shown, context.CreateConsole());
                return Task.FromResult(ExitCodes.Success);
            }, ct);
        }, throwOnUnexpectedArg: false);
    }

    /// <summary>
    /// The export lines, leaving out what a shell cannot name and, unless shown, what holds a secret: an exported
    /// <c>****</c> would be taken for the value by whatever runs in that shell.
    /// </summary>
    private static void WriteExports(IEnumerable<ResolvedVariable> variables, Func<ResolvedVariable, string> shown, CommandContext context)
    {
        var secrets = new List<string>();
        foreach (var variable in variables)
        {
            var value = shown(variable);
            if (!ShellQuoting.IsShellName(variable.Name))
                context.Host.Error.WriteLine($"# {variable.Name} is left out: a POSIX shell cannot name it.");
            else if (value != variable.Value)
                secrets.Add(variable.Name);
            else
                context.Out.WriteLine(ShellQuoting.Export(variable.Name, value));
        }
        if (secrets.Count == 1)
            context.Host.Error.WriteLine($"# {secrets[0]} is left out: its value holds a secret, which only --show-secrets exports.");
        else if (secrets.Count > 1)
            context.Host.Error.WriteLine($"# {string.Join(", ", secrets)} are left out: their values hold secrets, which only --show-secrets exports.");
    }

    private static void WriteTable(IEnumerable<ResolvedVariable> variables, Func<ResolvedVariable, string> shown, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("NAME", "VALUE", "FROM");
        foreach (var variable in variables)
            table.AddRow(Markup.Escape(variable.Name), Markup.Escape(shown(variable)), Markup.Escape(variable.Source));
        console.Write(table);
    }
}
