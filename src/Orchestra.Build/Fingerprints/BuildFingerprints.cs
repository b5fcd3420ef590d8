using Orchestra.Build.Evaluation;

namespace Orchestra.Build.Fingerprints;

/// <summary>
/// The inputs of each service's last good build, in <c>.orchestra/builds/</c>. A service whose inputs still match
/// is up to date and is not handed to MSBuild at all. The built assembly counts as an input too, so that a deleted
/// or replaced output rebuilds.
/// </summary>
public sealed class BuildFingerprints(string stateDirectory)
{
    private readonly StateStore<InputFingerprint> store = new(stateDirectory, "builds", BuildStateJson.Default.InputFingerprint);

    /// <summary>Stamps the inputs as they are now; take it before the build, so that an edit made during the build is not missed.</summary>
    public static InputFingerprint Take(ProjectEvaluation evaluation) =>
        InputFingerprint.Take(evaluation.WatchFiles, evaluation.SourceFolders);

    public bool IsUpToDate(ProjectEvaluation evaluation) =>
        store.Read(evaluation.ServiceName) is { } last && last.IsCurrent() && last.Files.Any(f => f.Path == evaluation.TargetPath && f.Size >= 0);

    /// <summary>Records a good build: the inputs as they were when it started, and the output it made.</summary>
    public void RecordSuccess(ProjectEvaluation evaluation, InputFingerprint inputs)
    {
        var output = InputFingerprint.Take([evaluation.TargetPath], []);
        store.Write(evaluation.ServiceName, inputs with { Files = inputs.Files.Concat(output.Files).ToList() });
    }

    /// <summary>Forgets a service's last good build, so that its next build goes to MSBuild.</summary>
    public void Forget(string service) => store.Delete(service);
}
