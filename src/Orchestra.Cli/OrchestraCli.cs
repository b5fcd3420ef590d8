using System.Reflection;
using McMaster.Extensions.CommandLineUtils;
using Orchestra.Build.Evaluation;
using Orchestra.Build.Locating;
using Orchestra.Cli.Commands;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Selection;

namespace Orchestra.Cli;

/// <summary>The <c>dotnet orchestra</c> command line: global options, the commands, and exit codes.</summary>
public static class OrchestraCli
{
    /// <summary>Runs one command line and returns its exit code (SPEC §3: 0 success, 1 failed work, 2 bad usage or configuration).</summary>
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        using var app = new CommandLineApplication(new HostConsole(host), host.CurrentDirectory, throwOnUnexpectedArg: true)
        {
            Name = "dotnet orchestra",
            FullName = "Orchestra",
            Description = "Runs, builds, logs and configures every service of a .NET workspace.",
        };
        app.HelpOption("-h|--help", inherited: true);
        app.VersionOption("--version", Version);
        var config = app.Option("-c|--config <FILE>", $"The orchestra.yml to use (default: the nearest one; also {WorkspaceLocator.ConfigVariable}).", CommandOptionType.SingleValue, inherited: true);
        var noColor = app.Option("--no-color", "Plain output without colour (also NO_COLOR).", CommandOptionType.NoValue, inherited: true);

        var context = new CommandContext(host, config, noColor);
        var handlers = new Dictionary<CommandLineApplication, Func<CancellationToken, Task<int>>>
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

        try
        {
            var parsed = app.Parse(args);
            var selected = parsed.SelectedCommand;
            if (selected.IsShowingInformation)
                return ExitCodes.Success;
            return await handlers[selected](cancellationToken);
        }
        catch (CommandParsingException e)
        {
            host.Error.WriteLine($"error: {e.Message} See 'dotnet orchestra --help'.");
            return ExitCodes.Usage;
        }
        catch (ConfigurationException e)
        {
            context.ReportConfigurationErrors(e);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is WorkspaceNotFoundException or SelectionException or UsageException or SdkNotFoundException or SdkTooOldException)
        {
            host.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (CommandFailedException e)
        {
            host.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static string Version() =>
        typeof(OrchestraCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
}
