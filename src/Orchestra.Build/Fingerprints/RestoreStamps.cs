using Orchestra.Build.Evaluation;

namespace Orchestra.Build.Fingerprints;

/// <summary>
/// What each service's last good restore saw, in <c>.orchestra/restores/</c>: its closure's project files and their
/// imports, every NuGet.config, global.json and <c>Directory.*.props</c> that could apply (present or not), and the
/// files the restore wrote. While all of them look as they did, a restore would be NuGet's no-op, which
/// still costs an evaluation of the restore graph and a hash of it; the build skips it, as <c>dotnet build
/// --no-restore</c> would, but only when nothing restore reads has changed.
/// </summary>
public sealed class RestoreStamps(string stateDirectory)
{
    /// <summary>
    /// What restore may read from each folder above a project, present or not, so that adding one counts as a change:
    /// NuGet's configuration (each spelling it looks for; case matters on Linux), the SDK choice, and the files the SDK
    /// imports by name, such as a new <c>Directory.Packages.props</c> turning on central package management.
    /// </summary>
    private static readonly string[] FolderInputs =
        ["nuget.config", "NuGet.config", "NuGet.Config", "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props"];

    private readonly StateStore<InputFingerprint> store = new(stateDirectory, "restores", BuildStateJson.Default.InputFingerprint);

    /// <summary>Stamps what the restore reads as it is now; take it before the restore, so that an edit made during it is not missed.</summary>
    public static InputFingerprint Take(ProjectEvaluation evaluation) => InputFingerprint.Take(Inputs(evaluation), []);

    /// <summary>Whether the last good restore of the service saw exactly what is on disk now, its outputs included.</summary>
    public bool IsCurrent(ProjectEvaluation evaluation)
    {
        if (evaluation.RestoreOutputs.Count == 0 || store.Read(evaluation.ServiceName) is not { } last)
            return false;
        var expected = Inputs(evaluation).Concat(evaluation.RestoreOutputs).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return last.Files.Select(f => f.Path).SequenceEqual(expected)
            && evaluation.RestoreOutputs.All(o => last.Files.Any(f => f.Path == o && f.Size >= 0))
            && last.IsCurrent();
    }

    /// <summary>Records a good restore: its inputs as stamped before it, and the files it wrote as they are now.</summary>
    public void RecordSuccess(ProjectEvaluation evaluation, InputFingerprint inputs)
    {
        var outputs = InputFingerprint.Take(evaluation.RestoreOutputs, []);
        store.Write(evaluation.ServiceName, inputs with
        {
            Files = inputs.Files.Concat(outputs.Files).DistinctBy(f => f.Path).OrderBy(f => f.Path, StringComparer.Ordinal).ToList(),
        });
    }

    /// <summary>Forgets a service's last good restore, so that its next build restores.</summary>
    public void Forget(string service) => store.Delete(service);

    private static IEnumerable<string> Inputs(ProjectEvaluation evaluation)
    {
        var folders = evaluation.ProjectClosure.SelectMany(FoldersAbove).Distinct(StringComparer.Ordinal);
        var user = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        return evaluation.EvaluationInputs
            .Concat(folders.SelectMany(dir => FolderInputs.Select(name => Path.Combine(dir, name))))
            .Append(user);
    }

    private static IEnumerable<string> FoldersAbove(string projectPath)
    {
        for (var dir = Path.GetDirectoryName(projectPath); dir is not null; dir = Path.GetDirectoryName(dir))
            yield return dir;
    }
}
