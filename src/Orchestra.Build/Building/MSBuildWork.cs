using System.Runtime.CompilerServices;
using Orchestra.Build.Evaluation;
using Orchestra.Discovery;

namespace Orchestra.Build.Building;

/// <summary>An evaluated service, or the one-sentence reason it could not be; <paramref name="Fresh"/> when MSBuild evaluated it now rather than the cache.</summary>
public sealed record EvaluationOutcome(ServiceDefinition Service, ProjectEvaluation? Evaluation, string? Error, bool Fresh);

/// <summary>An MSBuild session seen without MSBuild types: one restore, then the builds; disposing ends it.</summary>
internal interface IBuildSession : IAsyncDisposable
{
    /// <summary>Restores the projects' packages in one go; false when it failed for any of them.</summary>
    Task<bool> RestoreAsync(IReadOnlyList<string> projects);

    /// <summary>Builds the services in parallel, after <see cref="RestoreAsync"/> (whose result is <paramref name="restored"/>).</summary>
    Task<IReadOnlyList<ServiceBuildReport>> BuildAsync(IReadOnlyList<ProjectEvaluation> services, bool restored, IBuildProgress progress);
}

/// <summary>
/// The only door from MSBuild-free code to the classes that use Microsoft.Build. Its signatures hold none of its
/// types and its methods are never inlined, so that the JIT loads Microsoft.Build only once these run, after the
/// locator has registered an SDK.
/// </summary>
internal static class MSBuildWork
{
    /// <summary>
    /// MSBuild keeps process-wide state (the in-process node and its caches): one evaluation or build session at a
    /// time per process, whoever asks (a build command, the supervisor's rebuild, a test).
    /// </summary>
    public static readonly SemaphoreSlim Gate = new(1, 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IReadOnlyList<EvaluationOutcome> Evaluate(IReadOnlyList<ServiceDefinition> services, Version sdkVersion)
    {
        using var evaluator = new ProjectEvaluator();
        var outcomes = new List<EvaluationOutcome>();
        foreach (var service in services)
        {
            try
            {
                outcomes.Add(new EvaluationOutcome(service, evaluator.Evaluate(service, sdkVersion), null, Fresh: true));
            }
            catch (EvaluationException e)
            {
                outcomes.Add(new EvaluationOutcome(service, null, e.Message, Fresh: true));
            }
        }
        return outcomes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IBuildSession StartSession(CancellationToken cancellationToken) => new MSBuildSession(cancellationToken);
}
