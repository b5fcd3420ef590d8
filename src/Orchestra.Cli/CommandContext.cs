using McMaster.Extensions.CommandLineUtils;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Hooks;
using Orchestra.State;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;
using Orchestra.Variables;
using Spectre.Console;

namespace Orchestra.Cli;

/// <summary>What every command shares: the host, the global options, and loading the workspace with its hooks.</summary>
internal sealed class CommandContext(CliHost host, CommandOption configOption, CommandOption noColorOption)
{
    public CliHost Host => host;

    public TextWriter Out => host.Out;

    /// <summary>Colour only on a terminal, and never with <c>--no-color</c> or <c>NO_COLOR</c> set.</summary>
    public bool UseColor =>
        host.IsTerminal && !noColorOption.HasValue() && string.IsNullOrEmpty(host.Environment.GetValueOrDefault("NO_COLOR"));

    public string ConfigPath() =>
        WorkspaceLocator.Locate(host.CurrentDirectory, configOption.Value() ?? host.Environment.GetValueOrDefault(WorkspaceLocator.ConfigVariable));

    /// <summary>The way to the workspace's supervisor; one it starts runs in this command's environment.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public SupervisorClient Supervisor(Workspace workspace) => Supervisor(workspace.Config.FilePath);

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private SupervisorClient Supervisor(string configPath) => new(configPath, ToolProcess.Current(), host.Environment);

    /// <summary>A console for tables and colour that writes to the host's output, or to <paramref name="writer"/>.</summary>
    public IAnsiConsole CreateConsole(TextWriter? writer = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = UseColor ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = UseColor ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer ?? host.Out),
            Interactive = host.IsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!host.IsTerminal)
            console.Profile.Width = 240;
        return console;
    }

    /// <summary>
    /// Loads the workspace and runs <paramref name="body"/> between the global and per-command before/after hooks.
    /// A failing before hook stops the command; after hooks run only when it succeeded.
    /// </summary>
    public Task<int> RunInWorkspaceAsync(string command, Func<Workspace, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var configPath = ConfigPath();
        CheckStateFolder(configPath);
        return RunInWorkspaceAsync(configPath, command, body, cancellationToken);
    }

    /// <summary>
    /// <see cref="RunInWorkspaceAsync(string, Func{Workspace, CancellationToken, Task{int}}, CancellationToken)"/> for a
    /// command that needs the supervisor running: it is started first, so that its own start (a process, its runtime,
    /// its own read of the workspace), the longest part of a warm <c>start</c>, overlaps this command's reading of the
    /// workspace, its hooks and its evaluation cache instead of following them. <paramref name="body"/> gets it as a
    /// task. When the command throws, a supervisor that looks after nothing is shut down.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task<int> RunWithSupervisorAsync(string command, Func<Workspace, Task<ControlClient>, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var configPath = ConfigPath();
        CheckStateFolder(configPath);
        var supervisors = Supervisor(configPath);
        // Not the command's token: a Ctrl-C must not leave the supervisor half-waited-for, where the clean-up below
        // could not find it to stop it. Its start has a deadline of its own, and takes a fraction of a second.
        var starting = supervisors.EnsureRunningAsync(CancellationToken.None);
        try
        {
            return await RunInWorkspaceAsync(configPath, command, (workspace, token) => body(workspace, starting, token), cancellationToken);
        }
        catch (Exception)
        {
            // Whatever failed (the workspace, a hook, the selection), a supervisor started for nothing is not left behind.
            await supervisors.ShutDownIfIdleAsync(starting);
            throw;
        }
    }

    /// <summary>
    /// Commands trust what .orchestra/ holds (which programs to run, which pids to signal, the supervisor's socket):
    /// one someone else could have written is refused once, before anything reads it or asks the socket.
    /// </summary>
    private static void CheckStateFolder(string configPath) =>
        StateFolder.CheckExisting(Workspace.StateDirectoryIn(Path.GetDirectoryName(configPath)!));

    private async Task<int> RunInWorkspaceAsync(string configPath, string command, Func<Workspace, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var workspace = WorkspaceLoader.Load(configPath);
        var settings = workspace.Config.Commands.GetValueOrDefault(command);
        var before = workspace.Config.Hooks.Before.Concat(settings?.Hooks.Before ?? []).ToList();
        var after = workspace.Config.Hooks.After.Concat(settings?.Hooks.After ?? []).ToList();
        var hooks = before.Count + after.Count == 0
            ? null
            : new HookRunner(workspace.Root, new EnvironmentResolver(workspace, host.Environment, VendorPortTable.Empty).ResolveShared(command), host.Error);

        if (hooks is not null && await hooks.RunAsync(before, cancellationToken) is { Succeeded: false } failedBefore)
            throw new CommandFailedException($"The before hook '{failedBefore.FailedCommand}' failed with exit code {failedBefore.ExitCode}, so '{command}' did not run.");

        var exitCode = await body(workspace, cancellationToken);

        if (exitCode == ExitCodes.Success && hooks is not null && await hooks.RunAsync(after, cancellationToken) is { Succeeded: false } failedAfter)
            throw new CommandFailedException($"The after hook '{failedAfter.FailedCommand}' failed with exit code {failedAfter.ExitCode}.");
        return exitCode;
    }
}
