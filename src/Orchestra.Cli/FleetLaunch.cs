using Orchestra.Build.Building;
using Orchestra.Cli.Output;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli;

/// <summary>
/// What <c>start</c> and <c>restart</c> share: build the selection (MSBuild runs here, in the short-lived CLI, never
/// in the supervisor), turn the evaluations into launch specs, and find or start the supervisor.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class FleetLaunch(CommandContext context, Workspace workspace)
{
    /// <summary>
    /// Builds (unless <paramref name="build"/> is false) and evaluates: the launch specs, and which services were
    /// rebuilt; or, when a build or an evaluation failed, after saying so, its errors.
    /// </summary>
    public async Task<PreparedLaunch> PrepareAsync(IReadOnlyList<ServiceDefinition> services, bool build, CancellationToken cancellationToken, bool rerun = true)
    {
        SupervisorPaths.For(workspace).EnsureStateDirectory();
        var view = new BuildProgressView(context.CreateConsole(), context.Host.IsTerminal);
        var builder = new FleetBuilder(workspace, view);
        var rebuilt = new List<string>();
        if (build)
        {
            var result = await view.ShowAsync(() => builder.BuildAsync(services, cancellationToken));
            rebuilt.AddRange(result.Services.Where(s => s.Outcome == BuildOutcome.Built).Select(s => s.Service));
            if (result.Services.FirstOrDefault(s => !s.Succeeded) is { } failed)
            {
                var sentence = $"{failed.Service} did not build{(failed.Error is null ? "" : $": {failed.Error.TrimEnd('.')}")}";
                context.Host.Error.WriteLine($"error: {sentence}, so nothing was started.");
                var errors = failed.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
                return PreparedLaunch.Failed(errors.Count > 0 ? errors : [sentence + "."]);
            }
        }
        var projects = services.Where(s => s.Config.Command is null).ToList();
        var evaluations = projects.Count == 0 ? [] : await builder.EvaluateAsync(projects, cancellationToken);
        var specs = new List<LaunchSpec>();
        foreach (var service in services)
        {
            if (service.Config.Command is { } command)
            {
                var program = Path.IsPathRooted(command[0]) || !command[0].Contains('/') ? command[0] : Path.GetFullPath(command[0], service.Directory);
                // Only a program the service itself holds (./bin/orders) identifies a copy of it. An interpreter or
                // a tool from the PATH (python3, node, /bin/sh) is shared by every other process that runs it, and
                // naming it here made `start` stop all of them as "copies running outside orchestra".
                var owned = Path.IsPathRooted(program) && program.StartsWith(Path.TrimEndingDirectorySeparator(service.Directory) + "/", StringComparison.Ordinal);
                specs.Add(new LaunchSpec(service.Name, [program, .. command.Skip(1)], owned ? [program] : []) { Rerun = rerun });
                continue;
            }
            var outcome = evaluations.First(e => e.Service.Name == service.Name);
            if (outcome.Evaluation is not { } evaluation)
            {
                var sentence = outcome.Error ?? $"{service.Name} could not be evaluated.";
                context.Host.Error.WriteLine($"error: {sentence}");
                return PreparedLaunch.Failed([sentence]);
            }
            var run = new List<string> { evaluation.RunCommand };
            run.AddRange(CommandLineSplitter.Split(evaluation.RunArguments));
            // The apphost beside the DLL is the service's own; a RunCommand of `dotnet` (UseAppHost=false) is every
            // .NET process on the machine, and naming it made `start` stop all of them as copies of the service.
            var apphost = Path.IsPathRooted(evaluation.RunCommand)
                && Path.GetDirectoryName(evaluation.RunCommand) == Path.GetDirectoryName(evaluation.TargetPath);
            IReadOnlyList<string> builtFiles = apphost ? [evaluation.TargetPath, evaluation.RunCommand] : [evaluation.TargetPath];
            specs.Add(new LaunchSpec(service.Name, run, builtFiles) { WatchFiles = evaluation.WatchFiles, Rerun = rerun, Build = BuildOf(evaluation.TargetPath) });
        }
        return new PreparedLaunch(specs, rebuilt);
    }

    private static string? BuildOf(string builtFile)
    {
        var file = new FileInfo(builtFile);
        return file.Exists ? $"{file.LastWriteTimeUtc.Ticks}:{file.Length}" : null;
    }

    /// <summary>The running supervisor, or a new one started as this same tool in the background.</summary>
    public Task<ControlClient> SupervisorAsync(CancellationToken cancellationToken) =>
        SupervisorLauncher.EnsureRunningAsync(workspace, SupervisorProcess(workspace.Config.FilePath), cancellationToken);

    /// <summary>
    /// This tool again, as <c>dotnet dotnet-orchestra.dll __supervise</c>: installed global tools ship no apphost,
    /// and tests run the CLI inside another process, so the DLL is what is always there.
    /// </summary>
    public static ProcessCommand SupervisorProcess(string configPath) => ToolProcess(Commands.SuperviseCommand.Name, configPath);

    /// <summary>This tool as the supervisor runs it to rebuild a service whose files changed (MSBuild stays out of the supervisor).</summary>
    public static ProcessCommand PrepareProcess(string configPath) => ToolProcess(Commands.PrepareCommand.Name, configPath);

    private static ProcessCommand ToolProcess(string hiddenCommand, string configPath)
    {
        var current = Environment.ProcessPath;
        var dotnet = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet"
            ? current
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return new ProcessCommand(dotnet, [typeof(FleetLaunch).Assembly.Location, hiddenCommand, "--config", configPath]);
    }
}
