using Orchestra.Build.Building;
using Orchestra.Build.Evaluation;
using Orchestra.Configuration;
using Orchestra.Build.Locating;
using Orchestra.Discovery;
using Orchestra.Launching;
using Orchestra.State;

namespace Orchestra.Build.Launching;

/// <summary>
/// Plans a launch: builds the selection, then turns the evaluations into launch specs that carry the options of the
/// command asking. <c>start</c>, <c>restart</c> and the supervisor's rebuilds (<c>__prepare</c>) all plan here, in a
/// short-lived process, so that MSBuild never loads in the supervisor.
/// </summary>
public sealed class LaunchPlanner(Workspace workspace, IBuildProgress progress)
{
    private readonly FleetBuilder _builder = new(workspace, progress);

    /// <summary>
    /// Builds (unless <paramref name="build"/> is false) and evaluates: the launch specs and which services were
    /// rebuilt; or, when a build or an evaluation failed, why.
    /// </summary>
    /// <exception cref="SdkNotFoundException">No usable SDK, when MSBuild is needed.</exception>
    /// <exception cref="SdkTooOldException">The SDK cannot build a service's framework.</exception>
    public async Task<PreparedLaunch> PlanAsync(IReadOnlyList<ServiceDefinition> services, LaunchOptions options, bool build, CancellationToken cancellationToken)
    {
        StateFolder.Create(workspace.StateDirectory);
        // The services are told where the vendors are before any container runs: each vendor port gets its host port
        // now, once, and every replica's environment and every container read it from there.
        new VendorPortAssignments(workspace.StateDirectory).Assign(workspace.Vendors);
        var rebuilt = new List<string>();
        if (build)
        {
            var result = await _builder.BuildAsync(services, cancellationToken);
            rebuilt.AddRange(result.Services.Where(s => s.Outcome == BuildOutcome.Built).Select(s => s.Service));
            if (result.Services.FirstOrDefault(s => !s.Succeeded) is { } failed)
            {
                var errors = failed.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
                return PreparedLaunch.Failed($"{failed.Service} did not build{(failed.Error is null ? "" : $": {failed.Error.TrimEnd('.')}")}.", errors);
            }
        }
        var projects = services.Where(s => s.Config.Command is null).ToList();
        var evaluations = projects.Count == 0 ? [] : await _builder.EvaluateAsync(projects, cancellationToken);
        var specs = new List<LaunchSpec>();
        foreach (var service in services)
        {
            if (service.Config.Command is { } command)
            {
                specs.Add(CommandSpec(service, command, options));
                continue;
            }
            var outcome = evaluations.First(e => e.Service.Name == service.Name);
            if (outcome.Evaluation is not { } evaluation)
                return PreparedLaunch.Failed(outcome.Error ?? $"{service.Name} could not be evaluated.", []);
            specs.Add(ProjectSpec(service, evaluation, options));
        }
        return new PreparedLaunch(specs, rebuilt);
    }

    private static LaunchSpec CommandSpec(ServiceDefinition service, IReadOnlyList<string> command, LaunchOptions options)
    {
        var program = Path.IsPathRooted(command[0]) || !command[0].Contains('/') ? command[0] : Path.GetFullPath(command[0], service.Directory);
        // Only a program the service itself holds (./bin/orders) identifies a copy of it. An interpreter or a tool
        // from the PATH (python3, node, /bin/sh) is shared by every other process that runs it, and naming it here
        // made `start` stop all of them as "copies running outside orchestra".
        var owned = Path.IsPathRooted(program) && program.StartsWith(Path.TrimEndingDirectorySeparator(service.Directory) + "/", StringComparison.Ordinal);
        return new LaunchSpec(service.Name, [program, .. command.Skip(1)], owned ? [program] : []) { Options = options };
    }

    private static LaunchSpec ProjectSpec(ServiceDefinition service, ProjectEvaluation evaluation, LaunchOptions options)
    {
        // The apphost beside the DLL is the service's own; a RunCommand of `dotnet` (UseAppHost=false) is every .NET
        // process on the machine, and naming it made `start` stop all of them as copies of the service.
        var apphost = Path.IsPathRooted(evaluation.RunCommand)
            && Path.GetDirectoryName(evaluation.RunCommand) == Path.GetDirectoryName(evaluation.TargetPath);
        IReadOnlyList<string> builtFiles = apphost ? [evaluation.TargetPath, evaluation.RunCommand] : [evaluation.TargetPath];
        return new LaunchSpec(service.Name, [evaluation.RunCommand, .. CommandLineSplitter.Split(evaluation.RunArguments)], builtFiles)
        {
            Options = options,
            WatchFiles = evaluation.WatchFiles,
            Build = BuildOf(evaluation.TargetPath),
            WorkingDirectory = evaluation.RunWorkingDirectory,
            Container = options.Docker
                ? ContainerLaunch.ForProject(service.Config.DockerImage, evaluation.TargetPath, evaluation.TargetFramework, evaluation.UsesAspNetCore)
                : null,
        };
    }

    /// <summary>Which build a built file is: its time and size, or null when it is not there.</summary>
    private static string? BuildOf(string builtFile)
    {
        var file = new FileInfo(builtFile);
        return file.Exists ? $"{file.LastWriteTimeUtc.Ticks}:{file.Length}" : null;
    }
}
