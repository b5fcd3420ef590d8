using Orchestra.Build.Evaluation;
using Orchestra.Discovery;

namespace Orchestra.Build.Fingerprints;

/// <summary>A cached evaluation and what its inputs looked like when it was made.</summary>
public sealed record CachedEvaluation(string ProjectPath, string? Framework, ServiceKind Kind, ProjectEvaluation Evaluation, InputFingerprint Inputs);

/// <summary>
/// Keeps each service's <see cref="ProjectEvaluation"/> in <c>.orchestra/evaluations/</c>, valid while the project,
/// its imports, its references, its service.yml, any global.json above it and its source folders' listings are
/// unchanged, so that an unchanged workspace is never evaluated again.
/// </summary>
public sealed class EvaluationCache(string stateDirectory)
{
    private readonly StateStore<CachedEvaluation> store = new(stateDirectory, "evaluations", BuildStateJson.Default.CachedEvaluation);

    public ProjectEvaluation? TryGet(ServiceDefinition service)
    {
        var cached = store.Read(service.Name);
        if (cached is null || cached.ProjectPath != service.ProjectPath || cached.Framework != service.Config.Framework || cached.Kind != service.Kind)
            return null;
        return cached.Inputs.IsCurrent() ? cached.Evaluation : null;
    }

    public void Put(ServiceDefinition service, ProjectEvaluation evaluation) =>
        store.Write(service.Name, new CachedEvaluation(service.ProjectPath!, service.Config.Framework, service.Kind, evaluation, Fingerprint(service, evaluation)));

    /// <summary>Drops a cached evaluation, so that the next one asks MSBuild again.</summary>
    public void Forget(string service) => store.Delete(service);

    private static InputFingerprint Fingerprint(ServiceDefinition service, ProjectEvaluation evaluation)
    {
        var files = evaluation.EvaluationInputs
            .Concat(evaluation.TestProjects)
            .Append(service.Config.FilePath)
            .Concat(GlobalJsonCandidates(evaluation.ProjectPath));
        return InputFingerprint.Take(files, evaluation.SourceFolders);
    }

    /// <summary>Every place a global.json could choose another SDK from, present or not: adding one counts as a change.</summary>
    private static IEnumerable<string> GlobalJsonCandidates(string projectPath)
    {
        for (var dir = Path.GetDirectoryName(projectPath); dir is not null; dir = Path.GetDirectoryName(dir))
            yield return Path.Combine(dir, "global.json");
    }
}
