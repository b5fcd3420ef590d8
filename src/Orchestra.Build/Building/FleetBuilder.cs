using Orchestra.Build.Evaluation;
using Orchestra.Build.Fingerprints;
using Orchestra.Build.Locating;
using Orchestra.Discovery;

namespace Orchestra.Build.Building;

/// <summary>
/// What a fleet build did: a report per service, and which services went through evaluation, restore and MSBuild.
/// </summary>
public sealed record FleetBuildResult(IReadOnlyList<ServiceBuildReport> Services, IReadOnlyList<string> Evaluated, IReadOnlyList<string> HandedToMSBuild)
{
    /// <summary>The services whose projects NuGet restored; empty when every one's last restore was still current.</summary>
    public IReadOnlyList<string> Restored { get; init; } = [];

    public bool Succeeded => Services.All(s => s.Succeeded);
}

/// <summary>
/// Builds the selected services of a workspace: cached evaluations where the projects have not changed, nothing at
/// all for services whose inputs match their last good build, one MSBuild session for the rest, and the
/// <c>build:</c> commands of command services alongside it.
/// </summary>
/// <param name="evaluateAfterRestore">
/// Whether the evaluations must see what restore writes: a test project learns from its packages whether it runs on
/// Microsoft.Testing.Platform. Those made beside the restore are then made again once it is done, while MSBuild
/// builds, and only those are cached.
/// </param>
public sealed class FleetBuilder(Workspace workspace, IBuildProgress progress, bool evaluateAfterRestore = false)
{
    private readonly EvaluationCache evaluations = new(workspace.StateDirectory);
    private readonly BuildFingerprints fingerprints = new(workspace.StateDirectory);
    private readonly RestoreStamps restores = new(workspace.StateDirectory);
    private Task<SdkInfo>? resolvedSdk;

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
            var sdk = await SdkAsync(cancellationToken);
            await MSBuildWork.Gate.WaitAsync(cancellationToken);
            try
            {
                foreach (var outcome in EvaluateAndCache(missing, sdk))
                    fresh[outcome.Service.Name] = outcome;
            }
            finally
            {
                MSBuildWork.Gate.Release();
            }
        }
        return cached.Select(c => fresh.GetValueOrDefault(c.Service.Name) ?? new EvaluationOutcome(c.Service, c.Evaluation, null, Fresh: false)).ToList();
    }

    /// <summary>Builds the services; a failure of one never stops the others.</summary>
    /// <exception cref="SdkNotFoundException">No usable SDK, when MSBuild is needed.</exception>
    /// <exception cref="SdkTooOldException">The SDK cannot build a service's framework.</exception>
    public async Task<FleetBuildResult> BuildAsync(IReadOnlyList<ServiceDefinition> services, CancellationToken cancellationToken)
    {
        var commandBuilds = services.Where(HasBuildCommand).Select(s => CommandBuild.RunAsync(s, progress, cancellationToken)).ToList();
        try
        {
            var reports = new List<ServiceBuildReport>();
            foreach (var service in services.Where(s => s.ProjectPath is null && !HasBuildCommand(s)))
                reports.Add(Report(new ServiceBuildReport(service.Name, BuildOutcome.UpToDate, [])));
            var projects = services.Where(s => s.ProjectPath is not null && !HasBuildCommand(s)).ToList();
            var (fresh, handed, restored) = await BuildProjectsAsync(projects, reports, cancellationToken);
            reports.AddRange(await Task.WhenAll(commandBuilds));
            var order = services.Select(s => s.Name).ToList();
            return new FleetBuildResult(reports.OrderBy(r => order.IndexOf(r.Service)).ToList(), fresh, handed) { Restored = restored };
        }
        finally
        {
            // Never leave a build command running unobserved, whatever failed above; its own failure is in its report.
            await Task.WhenAll(commandBuilds).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Services whose evaluation is cached and whose inputs match their last good build never reach MSBuild. For the
    /// rest, the fleet's single restore starts at once and runs while the projects that need it are evaluated,
    /// since restore needs only the project paths; only then are the services still out of date built.
    /// </summary>
    private async Task<SessionOutcome> BuildProjectsAsync(
        IReadOnlyList<ServiceDefinition> projects, List<ServiceBuildReport> reports, CancellationToken cancellationToken)
    {
        var toBuild = new List<(ProjectEvaluation Evaluation, InputFingerprint Inputs)>();
        var unevaluated = new List<ServiceDefinition>();
        foreach (var service in projects)
        {
            if (evaluations.TryGet(service) is not { } cached)
                unevaluated.Add(service);
            else
                Triage(new EvaluationOutcome(service, cached, null, Fresh: false), reports, toBuild);
        }
        if (toBuild.Count + unevaluated.Count == 0)
            return new SessionOutcome([], [], []);

        var sdk = await SdkAsync(cancellationToken);
        await MSBuildWork.Gate.WaitAsync(cancellationToken);
        try
        {
            return await BuildInSessionAsync(toBuild, unevaluated, sdk, reports, cancellationToken);
        }
        finally
        {
            MSBuildWork.Gate.Release();
        }
    }

    private async Task<SessionOutcome> BuildInSessionAsync(
        List<(ProjectEvaluation Evaluation, InputFingerprint Inputs)> toBuild, IReadOnlyList<ServiceDefinition> unevaluated, SdkInfo sdk,
        List<ServiceBuildReport> reports, CancellationToken cancellationToken)
    {
        await using var session = MSBuildWork.StartSession(cancellationToken);
        var candidates = toBuild.Select(b => b.Evaluation.ProjectPath).Concat(unevaluated.Select(s => s.ProjectPath!)).ToList();
        progress.Building(toBuild.Select(b => b.Evaluation.ServiceName).Concat(unevaluated.Select(s => s.Name)).ToList());
        // A project evaluated now may have changed what restore reads; one evaluated from the cache has not, and when
        // every one's last restore saw what is on disk now, restore would be a no-op.
        if (unevaluated.Count == 0 && toBuild.TrueForAll(b => restores.IsCurrent(b.Evaluation)))
            return await BuildRestoredAsync(session, toBuild, unevaluated, sdk, reports, restored: true, [], cancellationToken);
        // Stamped before the restore, as build fingerprints are before the build.
        var restoreInputs = toBuild.Select(b => (b.Evaluation, Inputs: RestoreStamps.Take(b.Evaluation))).ToList();
        var restore = session.RestoreAsync(candidates);
        try
        {
            foreach (var outcome in EvaluateAndCache(unevaluated, sdk))
                Triage(outcome, reports, toBuild);
            // Those evaluated beside the restore read the same files it reads, at the same time: stamped as soon as
            // they are known, as their cached evaluations are.
            restoreInputs.AddRange(toBuild.Skip(restoreInputs.Count).Select(b => (b.Evaluation, RestoreStamps.Take(b.Evaluation))));
        }
        finally
        {
            // The restore is awaited whatever evaluation threw, so that the session never ends under it.
            await restore.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        var restored = await restore;
        var projectsToBuild = toBuild.Select(b => b.Evaluation.ProjectPath).ToList();
        // A project that cannot even be read fails the whole restore; once evaluation has set it aside, restore the rest again.
        if (!restored && projectsToBuild.Count > 0 && !candidates.Order().SequenceEqual(projectsToBuild.Order()))
            restored = await session.RestoreAsync(projectsToBuild);
        foreach (var (evaluation, inputs) in restoreInputs)
        {
            if (restored)
                restores.RecordSuccess(evaluation, inputs);
            else
                restores.Forget(evaluation.ServiceName);
        }
        var restoredServices = toBuild.Select(b => b.Evaluation.ServiceName).Concat(unevaluated.Select(s => s.Name)).Distinct().ToList();
        return await BuildRestoredAsync(session, toBuild, unevaluated, sdk, reports, restored, restoredServices, cancellationToken);
    }

    /// <summary>Builds what is still out of date once restore is done (or known to be current), and records the outcome.</summary>
    private async Task<SessionOutcome> BuildRestoredAsync(IBuildSession session,
        List<(ProjectEvaluation Evaluation, InputFingerprint Inputs)> toBuild, IReadOnlyList<ServiceDefinition> unevaluated, SdkInfo sdk,
        List<ServiceBuildReport> reports, bool restored, IReadOnlyList<string> restoredServices, CancellationToken cancellationToken)
    {
        var building = toBuild.Count == 0
            ? Task.FromResult<IReadOnlyList<ServiceBuildReport>>([])
            : session.BuildAsync(toBuild.Select(b => b.Evaluation).ToList(), restored, progress);
        if (evaluateAfterRestore)
        {
            try
            {
                EvaluateAgain(unevaluated.Where(s => toBuild.Exists(b => b.Evaluation.ServiceName == s.Name)).ToList(), restored, sdk);
            }
            finally
            {
                // As with the restore: the session never ends under a build, whatever evaluation threw.
                await building.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        var built = await building;
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var (evaluation, inputs) in toBuild)
        {
            if (built.First(r => r.Service == evaluation.ServiceName).Succeeded)
                fingerprints.RecordSuccess(evaluation, inputs);
            else
                fingerprints.Forget(evaluation.ServiceName);
        }
        reports.AddRange(built);
        return new SessionOutcome(unevaluated.Select(s => s.Name).ToList(), toBuild.Select(b => b.Evaluation.ServiceName).ToList(), restoredServices);
    }

    /// <summary>Which services one MSBuild session evaluated, built and restored.</summary>
    private sealed record SessionOutcome(IReadOnlyList<string> Evaluated, IReadOnlyList<string> Handed, IReadOnlyList<string> Restored);

    /// <summary>
    /// Evaluates again, after the restore, the services evaluated beside it; when the restore failed, or a service
    /// no longer evaluates, its evaluation is not kept, so that none made before restore is ever cached.
    /// </summary>
    private void EvaluateAgain(IReadOnlyList<ServiceDefinition> services, bool restored, SdkInfo sdk)
    {
        var outcomes = restored ? EvaluateAndCache(services, sdk) : [];
        foreach (var service in services.Where(s => !outcomes.Any(o => o.Service.Name == s.Name && o.Evaluation is not null)))
            evaluations.Forget(service.Name);
    }

    /// <summary>
    /// The SDK, resolved once per builder: asking <c>dotnet --version</c> again costs a process start, and one
    /// command's build and evaluations (a <c>test</c> run evaluates again after its build) all use the same SDK.
    /// </summary>
    private Task<SdkInfo> SdkAsync(CancellationToken cancellationToken) =>
        resolvedSdk ??= MSBuildRegistration.EnsureRegisteredAsync(workspace.Root, cancellationToken);

    private IReadOnlyList<EvaluationOutcome> EvaluateAndCache(IReadOnlyList<ServiceDefinition> services, SdkInfo sdk)
    {
        var outcomes = MSBuildWork.Evaluate(services, sdk.Version);
        foreach (var outcome in outcomes)
        {
            if (outcome.Evaluation is { } evaluation)
                evaluations.Put(outcome.Service, evaluation);
        }
        return outcomes;
    }

    /// <summary>Sorts an evaluated service: invalid, up to date, or to be built with its inputs stamped now.</summary>
    private void Triage(EvaluationOutcome outcome, List<ServiceBuildReport> reports, List<(ProjectEvaluation, InputFingerprint)> toBuild)
    {
        if (outcome.Evaluation is not { } evaluation)
            reports.Add(Report(new ServiceBuildReport(outcome.Service.Name, BuildOutcome.Invalid, [], outcome.Error)));
        else if (fingerprints.IsUpToDate(evaluation))
            reports.Add(Report(new ServiceBuildReport(outcome.Service.Name, BuildOutcome.UpToDate, [])));
        else
            toBuild.Add((evaluation, BuildFingerprints.Take(evaluation)));
    }

    private static bool HasBuildCommand(ServiceDefinition service) => service.Kind == ServiceKind.Command && service.Config.Build is not null;

    private ServiceBuildReport Report(ServiceBuildReport report)
    {
        progress.Finished(report);
        return report;
    }
}
