using System.Reflection;
using McMaster.Extensions.CommandLineUtils;
using Orchestra.Build.Evaluation;
using Orchestra.Build.Locating;
using Orchestra.Cli.Commands;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Selection;
using Orchestra.State;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli;

/// <summary>The <c>dotnet orchestra</c> command line: global options, the commands, and exit codes.</summary>
public static class OrchestraCli
{
    /// <summary>Runs one command line and returns its exit code (SPEC §3: 0 success, 1 failed work, 2 bad usage or configuration).</summary>
    public static Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default) =>
        // The supervisor runs without the parser: this method must not mention the parser's types, or compiling it loads them.
        OperatingSystem.IsLinux() && SuperviseCommand.IsInvoked(args)
            ? SuperviseCommand.RunAsync(args, host, cancellationToken)
            : ParseAndRunAsync(args, host, cancellationToken);

    private static async Task<int> ParseAndRunAsync(string[] args, CliHost host, CancellationToken cancellationToken)
    {
        using var app = new CommandLineApplication(new HostConsole(host), host.CurrentDirectory, throwOnUnexpectedArg: false)
        {
            Name = "dotnet orchestra",
            FullName = "Orchestra",
            Description = "Runs, builds, logs and configures every service of a .NET workspace.",
        };
        app.HelpOption("-h|--help", inherited: true);
        app.VersionOption("--version", ToolVersion);
        var config = app.Option("-c|--config <FILE>", $"The orchestra.yml to use (default: the nearest one; also {WorkspaceLocator.ConfigVariable}).", CommandOptionType.SingleValue, inherited: true);
        var noColor = app.Option("--no-color", "Plain output without colour (also NO_COLOR).", CommandOptionType.NoValue, inherited: true);

        var context = new CommandContext(host, config, noColor);
        var handlers = new CommandHandlers
        {
            [app] = _ =>
            {
                app.ShowHelp();
                return Task.FromResult(ExitCodes.Success);
            },
        };
        ConfigCommand.Register(app, context, handlers);
        EnvCommand.Register(app, context, handlers);
        InitCommand.Register(app, context, handlers);
        BuildCommand.Register(app, context, handlers);
        TestCommand.Register(app, context, handlers);
        LogsCommand.Register(app, context, handlers);
        // The process runner exists for Linux only so far; elsewhere its commands are not offered at all.
        if (OperatingSystem.IsLinux())
        {
            StartCommand.Register(app, context, handlers);
            PsCommand.Register(app, context, handlers);
            ScaleCommand.Register(app, context, handlers);
            BuildHostCommand.Register(app, context, handlers);
            VendorsCommand.Register(app, context, handlers);
        }

        try
        {
            var parsed = app.Parse(args);
            var selected = parsed.SelectedCommand;
            if (selected.IsShowingInformation)
                return ExitCodes.Success;
            if (selected.RemainingArguments.Count > 0)
                throw new UsageException(Unexpected(selected, selected.RemainingArguments[0]));
            return await handlers[selected](cancellationToken);
        }
        catch (CommandParsingException e)
        {
            host.Error.WriteLine($"error: {e.Message.TrimEnd('.')}. See 'dotnet orchestra --help'.");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (CommandFailure.Explains(e))
        {
            return CommandFailure.Report(e, host.Error);
        }
    }

    /// <summary>Parsing leaves what it does not know for us, so the message can suggest the closest word.</summary>
    private static string Unexpected(CommandLineApplication command, string argument)
    {
        var name = command.Parent is null ? "dotnet orchestra" : $"dotnet orchestra {command.Name}";
        var known = argument.StartsWith('-')
            ? command.GetOptions().Select(o => o.LongName is { } l ? "--" + l : "-" + o.ShortName)
            : command.Commands.Select(c => c.Name!);
        var hint = Suggestions.Closest(argument.TrimStart('-'), known.Select(k => k.TrimStart('-'))) is { } near
            ? $" Did you mean '{(argument.StartsWith('-') ? "--" : "")}{near}'?"
            : "";
        return $"'{argument}' is not {(argument.StartsWith('-') ? "an option" : "a command or argument")} of '{name}'.{hint} See '{name} --help'.";
    }

    /// <summary>The tool's version as <c>--version</c> prints it, without the commit: the version of its packages.</summary>
    internal static string ToolVersion() =>
        typeof(OrchestraCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
}
