using Orchestra.Build.Evaluation;
using Orchestra.Build.Fingerprints;
using Orchestra.Build.Locating;
using Orchestra.Discovery;

namespace Orchestra.Build.Building;

/// <summary>What a fleet build did: a report per service, and which services went through evaluation and MSBuild.</summary>
public sealed record FleetBuildResult(IReadOnlyList<ServiceBuildReport> Services, IReadOnlyList<string> Evaluated, IReadOnlyList<string> HandedToMSBuild)
{
    public bool Succeeded => Services.All(s => s.Succeeded);
}

/// <summary>
/// Builds the selected services of a workspace: cached evaluations where the projects have not changed, nothing at
/// all for services whose inputs match their last good build, one MSBuild session for the rest, and the
/// <c>build:</c> commands of command services alongside it.
/// </summary>
public sealed class FleetBuilder(Workspace workspace, IBuildProgress progress)
{
    private readonly EvaluationCache evaluations = new(workspace.StateDirectory);
    private readonly BuildFingerprints fingerprints = new(workspace.StateDirectory);

    /// <summary>Evaluates the services' projects, from the cache where it is current.</summary>
    /// <exception cref="SdkNotFoundException">No usable SDK, when an evaluation is needed.</exception>
    /// <exception cref="SdkTooOldException">The SDK cannot build a service's framework.</exception>
    public async Task<IReadOnlyList<EvaluationOutcome>> EvaluateAsync(IReadOnlyList<ServiceDefinition> services, CancellationToken cancellationToken)
    {
        var cached = services.Select(s => (Service: s, Evaluation: evaluations.TryGet(s))).ToList();
        var missing = cached.Where(c => c.Evaluation is null).Select(c => c.Service).ToList();
        var fresh = new Dictionary<string, EvaluationOutcome>(StringComparer.Ordinal);
        if (missing.Count > 0)
        {
            progress.Evaluating(missing.Select(s => s.Name).ToList());
            var sdk = await MSBuildRegistration.EnsureRegisteredAsync(workspace.Root, cancellationToken);
            foreach (var outcome in MSBuildWork.Evaluate(missing, sdk.Version))
            {
                fresh[outcome.Service.Name] = outcome;
                if (outcome.Evaluation is { } evaluation)
                    evaluations.Put(outcome.Service, evaluation);
            }
        }
        return cached.Select(c => fresh.GetValueOrDefault(c.Service.Name) ?? new EvaluationOutcome(c.Service, c.Evaluation, null, Fresh: false)).ToList();
    }

    /// <summary>Builds the services; a failure of one never stops the others.</summary>
    /// <exception cref="SdkNotFoundException">No usable SDK, when MSBuild is needed.</exception>
    /// <exception cref="SdkTooOldException">The SDK cannot build a service's framework.</exception>
    public async Task<FleetBuildResult> BuildAsync(IReadOnlyList<ServiceDefinition> services, CancellationToken cancellationToken)
    {
        var commandBuilds = services.Where(s => s.Kind == ServiceKind.Command && s.Config.Build is not null)
            .Select(s => CommandBuild.RunAsync(s, progress, cancellationToken))
            .ToList();
        try
        {
            var projects = services.Where(s => s.ProjectPath is not null && !(s.Kind == ServiceKind.Command && s.Config.Build is not null)).ToList();
            var reports = new List<ServiceBuildReport>();
            foreach (var service in services.Where(s => s.ProjectPath is null && s.Config.Build is null))
                reports.Add(Report(new ServiceBuildReport(service.Name, BuildOutcome.UpToDate, [])));

            var evaluated = projects.Count == 0 ? [] : await EvaluateAsync(projects, cancellationToken);
            var toBuild = new List<(ProjectEvaluation Evaluation, InputFingerprint Inputs)>();
            foreach (var outcome in evaluated)
            {
                if (outcome.Evaluation is not { } evaluation)
                    reports.Add(Report(new ServiceBuildReport(outcome.Service.Name, BuildOutcome.Invalid, [], outcome.Error)));
                else if (fingerprints.IsUpToDate(evaluation))
                    reports.Add(Report(new ServiceBuildReport(outcome.Service.Name, BuildOutcome.UpToDate, [])));
                else
                    toBuild.Add((evaluation, BuildFingerprints.Take(evaluation)));
            }

            if (toBuild.Count > 0)
            {
                await MSBuildRegistration.EnsureRegisteredAsync(workspace.Root, cancellationToken);
                var built = await MSBuildWork.BuildAsync(toBuild.Select(b => b.Evaluation).ToList(), progress, cancellationToken);
                foreach (var (evaluation, inputs) in toBuild)
                {
                    if (built.First(r => r.Service == evaluation.ServiceName).Succeeded)
                        fingerprints.RecordSuccess(evaluation, inputs);
                    else
                        fingerprints.Forget(evaluation.ServiceName);
                }
                reports.AddRange(built);
            }
            reports.AddRange(await Task.WhenAll(commandBuilds));
            var order = services.Select(s => s.Name).ToList();
            return new FleetBuildResult(
                reports.OrderBy(r => order.IndexOf(r.Service)).ToList(),
                evaluated.Where(e => e.Fresh).Select(e => e.Service.Name).ToList(),
                toBuild.Select(b => b.Evaluation.ServiceName).ToList());
        }
        finally
        {
            // Never leave a build command running unobserved, whatever failed above.
            await Task.WhenAll(commandBuilds).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private ServiceBuildReport Report(ServiceBuildReport report)
    {
        progress.Finished(report);
        return report;
    }
}
