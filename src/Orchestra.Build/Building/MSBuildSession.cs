using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Orchestra.Build.Evaluation;

namespace Orchestra.Build.Building;

/// <summary>
/// Builds service projects in ONE MSBuild session: a single restore of every project (as a solution restore does),
/// then a build request per service, all pending at once so that MSBuild schedules them across its nodes. Uses
/// Microsoft.Build types, so it must only be reached after the locator has registered an SDK.
/// </summary>
internal static class MSBuildSession
{
    public static async Task<IReadOnlyList<ServiceBuildReport>> BuildAsync(
        IReadOnlyList<ProjectEvaluation> services, IBuildProgress progress, CancellationToken cancellationToken)
    {
        var collector = new DiagnosticCollector();
        using var collection = new ProjectCollection();
        using var manager = new BuildManager("orchestra");
        var parameters = new BuildParameters(collection)
        {
            MaxNodeCount = Environment.ProcessorCount,
            EnableNodeReuse = Environment.GetEnvironmentVariable("MSBUILDDISABLENODEREUSE") != "1",
            Loggers = [collector],
        };
        manager.BeginBuild(parameters);
        await using var cancel = cancellationToken.Register(manager.CancelAllSubmissions);
        try
        {
            progress.Building(services.Select(s => s.ServiceName).ToList());
            var restored = await RestoreAsync(manager, services);
            var reports = new List<ServiceBuildReport>();
            var builds = new List<Task<ServiceBuildReport>>();
            foreach (var service in services)
            {
                if (restored)
                {
                    builds.Add(BuildOneAsync(manager, service, collector, progress));
                    continue;
                }
                // A failed restore leaves no assets to build with; the services it concerns fail with its errors.
                var diagnostics = collector.For(service.ProjectClosure);
                var report = new ServiceBuildReport(service.ServiceName, BuildOutcome.Failed, diagnostics,
                    diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) ? "its packages could not be restored." : null);
                if (report.Error is null)
                {
                    builds.Add(BuildOneAsync(manager, service, collector, progress));
                    continue;
                }
                progress.Finished(report);
                reports.Add(report);
            }
            reports.AddRange(await Task.WhenAll(builds));
            cancellationToken.ThrowIfCancellationRequested();
            return reports;
        }
        finally
        {
            manager.EndBuild();
        }
    }

    /// <summary>
    /// One NuGet restore for the whole fleet, entered through the first project with every project as a graph entry
    /// point. Its own global properties keep its evaluations apart from the build's, and its caches are dropped after
    /// it, so that the build sees the files restore wrote (what <c>dotnet build</c> does with <c>-restore</c>).
    /// </summary>
    private static async Task<bool> RestoreAsync(BuildManager manager, IReadOnlyList<ProjectEvaluation> services)
    {
        var projects = services.Select(s => s.ProjectPath).Distinct(StringComparer.Ordinal).ToList();
        var properties = new Dictionary<string, string?>
        {
            ["MSBuildRestoreSessionId"] = Guid.NewGuid().ToString("D"),
            ["ExcludeRestorePackageImports"] = "true",
            ["RestoreGraphProjectInput"] = string.Join(';', projects.Select(ProjectCollection.Escape)),
        };
        var request = new BuildRequestData(projects[0], properties, null, ["Restore"], null,
            BuildRequestDataFlags.ClearCachesAfterBuild
            | BuildRequestDataFlags.IgnoreMissingEmptyAndInvalidImports | BuildRequestDataFlags.FailOnUnresolvedSdk);
        var result = await SubmitAsync(manager, request);
        return result.OverallResult == BuildResultCode.Success;
    }

    private static async Task<ServiceBuildReport> BuildOneAsync(BuildManager manager, ProjectEvaluation service, DiagnosticCollector collector, IBuildProgress progress)
    {
        var properties = new Dictionary<string, string?>();
        if (service.FrameworkProperty is { } framework)
            properties["TargetFramework"] = framework;
        var result = await SubmitAsync(manager, new BuildRequestData(service.ProjectPath, properties, null, ["Build"], null));
        var diagnostics = collector.For(service.ProjectClosure);
        var succeeded = result.OverallResult == BuildResultCode.Success;
        var error = succeeded ? null
            : diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) ? "it does not compile." : $"MSBuild failed: {result.Exception?.Message ?? "no error was logged"}.";
        var report = new ServiceBuildReport(service.ServiceName, succeeded ? BuildOutcome.Built : BuildOutcome.Failed, diagnostics, error);
        progress.Finished(report);
        return report;
    }

    private static Task<BuildResult> SubmitAsync(BuildManager manager, BuildRequestData request)
    {
        var done = new TaskCompletionSource<BuildResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.PendBuildRequest(request).ExecuteAsync(submission => done.SetResult(submission.BuildResult!), null);
        return done.Task;
    }
}
