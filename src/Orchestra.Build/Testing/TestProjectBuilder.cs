using Orchestra.Build.Building;
using Orchestra.Build.Evaluation;
using Orchestra.Discovery;

namespace Orchestra.Build.Testing;

/// <summary>A test project after its build: the build's report, and its evaluation when it built.</summary>
internal sealed record BuiltTestProject(TestTarget Target, ServiceBuildReport Build, ProjectEvaluation? Evaluation);

/// <summary>
/// Builds test projects through the fleet builder, each standing in as a service of its own: so they share its one
/// MSBuild session and restore, its cached evaluations, and its fingerprints that leave an unchanged project alone.
/// </summary>
internal sealed class TestProjectBuilder(Workspace workspace, IBuildProgress progress)
{
    public async Task<IReadOnlyList<BuiltTestProject>> BuildAsync(IReadOnlyList<(ServiceDefinition Owner, TestTarget Target)> projects, CancellationToken cancellationToken)
    {
        if (projects.Count == 0)
            return [];
        var standIns = projects.Select(p => StandIn(p.Owner, p.Target)).ToList();
        // An evaluation made beside the restore, before the test framework's props were in obj/, cannot tell a
        // Microsoft.Testing.Platform project: the builder evaluates those again once restore is done, during the build.
        var builder = new FleetBuilder(workspace, new RenamedProgress(progress, projects.ToDictionary(p => p.Target.StateKey, p => p.Target.ToString())), evaluateAfterRestore: true);
        var built = await builder.BuildAsync(standIns, cancellationToken);
        var good = standIns.Where(s => built.Services.First(r => r.Service == s.Name).Succeeded).ToList();
        var outcomes = good.Count == 0 ? [] : await builder.EvaluateAsync(good, cancellationToken);
        return projects.Select(p => new BuiltTestProject(
            p.Target,
            built.Services.First(r => r.Service == p.Target.StateKey),
            outcomes.FirstOrDefault(e => e.Service.Name == p.Target.StateKey)?.Evaluation)).ToList();
    }

    /// <summary>
    /// The test project as a service under its state key, configured by its owner's service.yml. It stands in as a
    /// command service that names a project: such a project is built but need not be runnable, and a VSTest project
    /// is a library until restore brings the test SDK's props.
    /// </summary>
    private static ServiceDefinition StandIn(ServiceDefinition owner, TestTarget target) => owner with
    {
        Name = target.StateKey,
        Directory = Path.GetDirectoryName(target.ProjectPath)!,
        Config = new Configuration.ServiceConfig { FilePath = owner.Config.FilePath },
        Kind = ServiceKind.Command,
        ProjectPath = target.ProjectPath,
    };

    /// <summary>Shows the stand-ins' progress under the test projects' names rather than their state keys.</summary>
    private sealed class RenamedProgress(IBuildProgress inner, IReadOnlyDictionary<string, string> names) : IBuildProgress
    {
        public void Evaluating(IReadOnlyList<string> services) => inner.Evaluating(services.Select(Name).ToList());

        public void Building(IReadOnlyList<string> services) => inner.Building(services.Select(Name).ToList());

        public void Finished(ServiceBuildReport report) => inner.Finished(report with { Service = Name(report.Service) });

        private string Name(string key) => names.GetValueOrDefault(key, key);
    }
}
