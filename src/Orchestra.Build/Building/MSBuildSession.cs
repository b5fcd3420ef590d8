using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Orchestra.Build.Evaluation;

namespace Orchestra.Build.Building;

/// <summary>
/// ONE MSBuild session for a fleet build: a single restore of every project (as a solution restore does), then a
/// build request per service, all pending at once so that MSBuild schedules them across its nodes. Uses
/// Microsoft.Build types, so it must only be created after the locator has registered an SDK.
/// </summary>
internal sealed class MSBuildSession : IBuildSession
{
    private readonly DiagnosticCollector collector = new();
    private readonly ProjectCollection collection = new();
    private readonly BuildManager manager = new("orchestra");
    private readonly CancellationTokenRegistration cancellation;

    public MSBuildSession(CancellationToken cancellationToken)
    {
        manager.BeginBuild(new BuildParameters(collection)
        {
            MaxNodeCount = Environment.ProcessorCount,
            EnableNodeReuse = Environment.GetEnvironmentVariable("MSBUILDDISABLENODEREUSE") != "1",
            Loggers = [collector],
            // Errors and warnings are all Orchestra shows; without this, every message of every task is created,
            // and sent from the worker nodes, for a logger MSBuild cannot tell wants none of them.
            OnlyLogCriticalEvents = true,
        });
        cancellation = cancellationToken.Register(manager.CancelAllSubmissions);
    }

    public async Task<IReadOnlyList<ServiceBuildReport>> BuildAsync(IReadOnlyList<ProjectEvaluation> services, bool restored, IBuildProgress progress)
    {
        var reports = new List<ServiceBuildReport>();
        var builds = new List<Task<ServiceBuildReport>>();
        foreach (var service in services)
        {
            // A failed restore leaves no assets to build with; the services whose projects it failed for fail with its errors.
            var diagnostics = restored ? [] : collector.For(service.ProjectClosure);
            if (!diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                builds.Add(BuildOneAsync(service, progress));
                continue;
            }
            var report = new ServiceBuildReport(service.ServiceName, BuildOutcome.Failed, diagnostics, "its packages could not be restored.");
            progress.Finished(report);
            reports.Add(report);
        }
        reports.AddRange(await Task.WhenAll(builds));
        return reports;
    }

    /// <summary>
    /// Ends the build on a thread of its own: <c>EndBuild</c> blocks until work MSBuild queued on the thread pool has
    /// run, and on a pool thread it held one of the threads that work needs (the only one on a single core), which
    /// then waited for the pool's starvation check to add a thread, 0.5 to 1 s.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        cancellation.Dispose();
        await Task.Factory.StartNew(() =>
        {
            manager.EndBuild();
            manager.Dispose();
            collection.Dispose();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// One NuGet restore for the whole fleet, entered through the first project with every project as a graph entry
    /// point. Its own global properties keep its evaluations apart from the build's, and its caches are dropped after
    /// it, so that the build sees the files restore wrote (what <c>dotnet build</c> does with <c>-restore</c>).
    /// </summary>
    public async Task<bool> RestoreAsync(IReadOnlyList<string> projects)
    {
        var properties = new Dictionary<string, string?>
        {
            ["MSBuildRestoreSessionId"] = Guid.NewGuid().ToString("D"),
            ["ExcludeRestorePackageImports"] = "true",
            ["RestoreGraphProjectInput"] = string.Join(';', projects.Select(ProjectCollection.Escape)),
        };
        var request = new BuildRequestData(projects[0], properties, null, ["Restore"], null,
            BuildRequestDataFlags.ClearCachesAfterBuild
            | BuildRequestDataFlags.IgnoreMissingEmptyAndInvalidImports | BuildRequestDataFlags.FailOnUnresolvedSdk);
        var result = await SubmitAsync(request);
        return result.OverallResult == BuildResultCode.Success;
    }

    private async Task<ServiceBuildReport> BuildOneAsync(ProjectEvaluation service, IBuildProgress progress)
    {
        var properties = new Dictionary<string, string?>();
        if (service.FrameworkProperty is { } framework)
            properties["TargetFramework"] = framework;
        var result = await SubmitAsync(new BuildRequestData(service.ProjectPath, properties, null, ["Build"], null));
        var diagnostics = collector.For(service.ProjectClosure);
        var succeeded = result.OverallResult == BuildResultCode.Success;
        var error = succeeded ? null
            : diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) ? "it does not compile." : $"MSBuild failed: {result.Exception?.Message ?? "no error was logged"}.";
        var report = new ServiceBuildReport(service.ServiceName, succeeded ? BuildOutcome.Built : BuildOutcome.Failed, diagnostics, error);
        progress.Finished(report);
        return report;
    }

    private Task<BuildResult> SubmitAsync(BuildRequestData request)
    {
        var done = new TaskCompletionSource<BuildResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.PendBuildRequest(request).ExecuteAsync(submission => done.SetResult(submission.BuildResult!), null);
        return done.Task;
    }
}
