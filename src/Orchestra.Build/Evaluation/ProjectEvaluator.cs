using Microsoft.Build.Evaluation;
using Microsoft.Build.Exceptions;
using Orchestra.Discovery;

namespace Orchestra.Build.Evaluation;

/// <summary>
/// Evaluates service projects with the registered MSBuild. Uses Microsoft.Build types, so it must only be reached
/// after <see cref="Locating.MSBuildRegistration"/> has registered an SDK. One instance shares a project collection,
/// so that the SDK's imports are parsed once for the whole fleet.
/// </summary>
internal sealed class ProjectEvaluator : IDisposable
{
    private static readonly string[] WatchedItemTypes = ["Compile", "Content", "EmbeddedResource", "None", "AdditionalFiles"];

    private readonly ProjectCollection collection = new();
    private readonly Dictionary<string, ProjectFiles> filesByProject = new(StringComparer.Ordinal);

    /// <summary>What one project contributes to a service: its watched files, its imports and its direct references.</summary>
    private sealed record ProjectFiles(IReadOnlyList<string> Watch, IReadOnlyList<string> Imports, IReadOnlyList<string> References, IReadOnlyList<string> RestoreOutputs);

    /// <exception cref="EvaluationException">The project cannot be read, is multi-targeted without a choice, needs a newer SDK or cannot run.</exception>
    public ProjectEvaluation Evaluate(ServiceDefinition service, Version sdkVersion)
    {
        var path = service.ProjectPath ?? throw new EvaluationException($"Service '{service.Name}' has no project to evaluate.");
        var project = LoadServiceProject(service, path);
        var framework = project.GetPropertyValue("TargetFramework");
        CheckSdkSupports(service, project, framework, sdkVersion);

        var outputType = project.GetPropertyValue("OutputType");
        var isRunnable = string.Equals(project.GetPropertyValue("_IsExecutable"), "true", StringComparison.OrdinalIgnoreCase);
        if (!isRunnable && service.Kind == ServiceKind.Project)
            throw new EvaluationException(
                $"Service '{service.Name}' cannot run: its project {Path.GetFileName(path)} is a library (OutputType {outputType}); give it a 'command:' or point 'project:' at an executable project.");

        var own = FilesOf(project);
        var references = ReferenceClosure(service, own.References);
        var all = references.Select(r => filesByProject[r]).Prepend(own).ToList();
        var projectFolders = references.Prepend(path).Select(p => Path.GetDirectoryName(p)!).Distinct().ToList();
        var watch = all.SelectMany(f => f.Watch.Concat(f.Imports)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var runDirectory = project.GetPropertyValue("RunWorkingDirectory");
        return new ProjectEvaluation
        {
            ServiceName = service.Name,
            ProjectPath = path,
            TargetFramework = framework,
            FrameworkProperty = project.GlobalProperties.TryGetValue("TargetFramework", out var chosen) ? chosen : null,
            OutputType = outputType,
            IsRunnable = isRunnable,
            RunCommand = project.GetPropertyValue("RunCommand"),
            RunArguments = project.GetPropertyValue("RunArguments"),
            RunWorkingDirectory = runDirectory.Length > 0 ? Path.GetFullPath(runDirectory, project.DirectoryPath) : null,
            UsesAspNetCore = string.Equals(project.GetPropertyValue("UsingMicrosoftNETSdkWeb"), "true", StringComparison.OrdinalIgnoreCase)
                || project.GetItems("FrameworkReference").Any(r => string.Equals(r.EvaluatedInclude, "Microsoft.AspNetCore.App", StringComparison.OrdinalIgnoreCase)),
            TargetPath = project.GetPropertyValue("TargetPath"),
            ReferencedProjects = references,
            WatchFiles = watch,
            EvaluationInputs = all.SelectMany(f => f.Imports).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            RestoreOutputs = all.All(f => f.RestoreOutputs.Count > 0) ? all.SelectMany(f => f.RestoreOutputs).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() : [],
            SourceFolders = SourceFolders(watch, projectFolders),
            TestProjects = TestProjects(service, path),
            IsTestingPlatform = IsTrue(project, "IsTestingPlatformApplication") || IsTrue(project, "UseMicrosoftTestingPlatformRunner"),
            // TUnit filters by tree node path; MSTest, NUnit and xunit.v3 take the VSTest-style `--filter`.
            TestFilterOption = project.GetItems("PackageReference").Any(r => r.EvaluatedInclude.StartsWith("TUnit", StringComparison.OrdinalIgnoreCase))
                ? "--treenode-filter" : "--filter",
            VsTestConsole = project.GetPropertyValue("VSTestConsolePath") is { Length: > 0 } console ? console : null,
        };
    }

    public void Dispose() => collection.Dispose();

    private static bool IsTrue(Project project, string property) =>
        string.Equals(project.GetPropertyValue(property), "true", StringComparison.OrdinalIgnoreCase);

    private Project LoadServiceProject(ServiceDefinition service, string path)
    {
        var project = Load(service, path, new Dictionary<string, string>());
        var frameworks = project.GetPropertyValue("TargetFrameworks")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var chosen = service.Config.Framework;
        if (project.GetPropertyValue("TargetFramework").Length > 0 || frameworks.Length == 0)
        {
            var single = project.GetPropertyValue("TargetFramework");
            if (chosen is not null && !string.Equals(chosen, single, StringComparison.OrdinalIgnoreCase))
                throw new EvaluationException($"Service '{service.Name}' asks for framework '{chosen}', but its project {Path.GetFileName(path)} targets only {single}.");
            return project;
        }
        if (chosen is null)
            throw new EvaluationException(
                $"Service '{service.Name}' has a project that targets several frameworks ({string.Join(", ", frameworks)}); choose one with 'framework:' in its service.yml.");
        if (!frameworks.Contains(chosen, StringComparer.OrdinalIgnoreCase))
            throw new EvaluationException(
                $"Service '{service.Name}' asks for framework '{chosen}', but its project {Path.GetFileName(path)} targets {string.Join(", ", frameworks)}.");
        return Load(service, path, new Dictionary<string, string> { ["TargetFramework"] = frameworks.First(f => string.Equals(f, chosen, StringComparison.OrdinalIgnoreCase)) });
    }

    private Project Load(ServiceDefinition service, string path, IDictionary<string, string> globalProperties)
    {
        if (!File.Exists(path))
            throw new EvaluationException($"The project {path} of service '{service.Name}' does not exist.");
        try
        {
            return collection.GetLoadedProjects(path).FirstOrDefault(p => SameProperties(p.GlobalProperties, globalProperties))
                ?? new Project(path, globalProperties, toolsVersion: null, collection);
        }
        catch (InvalidProjectFileException e)
        {
            throw new EvaluationException($"The project {path} of service '{service.Name}' cannot be read: {e.BaseMessage.TrimEnd('.')}.");
        }
    }

    private static bool SameProperties(IDictionary<string, string> loaded, IDictionary<string, string> wanted) =>
        loaded.Count == wanted.Count && wanted.All(w => loaded.TryGetValue(w.Key, out var v) && v == w.Value);

    /// <summary>A project for a newer .NET than the SDK knows fails late and obscurely in a build; say it up front.</summary>
    private static void CheckSdkSupports(ServiceDefinition service, Project project, string framework, Version sdkVersion)
    {
        if (project.GetPropertyValue("TargetFrameworkIdentifier") != ".NETCoreApp")
            return;
        if (!Version.TryParse(project.GetPropertyValue("TargetFrameworkVersion").TrimStart('v'), out var wanted)
            || !Version.TryParse(project.GetPropertyValue("NETCoreAppMaximumVersion"), out var maximum))
            return;
        if (wanted > maximum)
            throw new SdkTooOldException(
                $"Service '{service.Name}' targets {framework}, but the .NET SDK {sdkVersion} supports only up to .NET {maximum}; install a newer SDK or change global.json.");
    }

    private ProjectFiles FilesOf(Project project)
    {
        if (filesByProject.TryGetValue(project.FullPath, out var known) && project.GlobalProperties.Count == 0)
            return known;
        // Restore writes obj/*.nuget.g.props and .targets; they follow from the project file, so they are not inputs.
        var intermediate = Path.GetFullPath(project.GetPropertyValue("BaseIntermediateOutputPath"), project.DirectoryPath);
        var extensions = Path.GetFullPath(project.GetPropertyValue("MSBuildProjectExtensionsPath"), project.DirectoryPath);
        var watch = WatchedItemTypes
            .SelectMany(project.GetItems)
            .Select(item => item.GetMetadataValue("FullPath"))
            .Where(File.Exists);
        var imports = project.Imports
            .Select(i => i.ImportedProject.FullPath)
            .Where(p => !p.StartsWith(intermediate, StringComparison.Ordinal) && !p.StartsWith(extensions, StringComparison.Ordinal))
            .Prepend(project.FullPath);
        var references = project.GetItems("ProjectReference").Select(r => r.GetMetadataValue("FullPath")).ToList();
        var files = new ProjectFiles(watch.ToList(), imports.Distinct(StringComparer.Ordinal).ToList(), references, RestoreOutputsOf(project));
        if (project.GlobalProperties.Count == 0)
            filesByProject[project.FullPath] = files;
        return files;
    }

    /// <summary>What NuGet's restore writes for the project: its assets file and, beside it, the no-op cache.</summary>
    private static IReadOnlyList<string> RestoreOutputsOf(Project project)
    {
        if (project.GetPropertyValue("ProjectAssetsFile") is not { Length: > 0 } assets)
            return [];
        var path = Path.GetFullPath(assets, project.DirectoryPath);
        return [path, Path.Combine(Path.GetDirectoryName(path)!, "project.nuget.cache")];
    }

    /// <summary>Every project reachable through ProjectReference, each evaluated once per fleet.</summary>
    private List<string> ReferenceClosure(ServiceDefinition service, IReadOnlyList<string> direct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(direct);
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(path))
                continue;
            if (!filesByProject.TryGetValue(path, out var files))
            {
                if (!File.Exists(path))
                    throw new EvaluationException($"Service '{service.Name}' references the project {path}, which does not exist.");
                files = FilesOf(Load(service, path, new Dictionary<string, string>()));
            }
            foreach (var next in files.References)
                pending.Enqueue(next);
        }
        return seen.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The project folders and every folder between them and a watched file inside them.</summary>
    private static List<string> SourceFolders(IEnumerable<string> watch, IReadOnlyList<string> projectFolders)
    {
        var folders = new HashSet<string>(projectFolders, StringComparer.Ordinal);
        foreach (var file in watch)
        {
            var root = projectFolders.FirstOrDefault(p => file.StartsWith(p + Path.DirectorySeparatorChar, StringComparison.Ordinal));
            if (root is null)
                continue;
            for (var dir = Path.GetDirectoryName(file); dir is not null && dir.Length > root.Length; dir = Path.GetDirectoryName(dir))
                folders.Add(dir);
        }
        return folders.Order(StringComparer.Ordinal).ToList();
    }

    private List<string> TestProjects(ServiceDefinition service, string servicePath)
    {
        // Validation has already refused a `tests:` entry that names no project.
        if (service.Config.Tests.Count > 0)
            return service.Config.Tests.Select(t => TestProjectPaths.Resolve(service, t.Value)).OfType<string>().ToList();
        return ProjectsUnder(service.Directory)
            .Where(p => p != servicePath)
            .Where(p => IsTestProject(Load(service, p, new Dictionary<string, string>())))
            .ToList();
    }

    /// <summary>
    /// The test frameworks' packages, which set <c>IsTestProject</c> only through the props restore writes into
    /// obj/: a project not restored yet (a fresh clone) is known by its reference to one of them instead.
    /// </summary>
    private static readonly string[] TestPackages =
        ["Microsoft.NET.Test.Sdk", "MSTest", "MSTest.TestAdapter", "xunit.v3", "xunit.v3.mtp-v1", "xunit.v3.mtp-v2", "xunit.v3.mtp-off", "TUnit", "Microsoft.Testing.Platform"];

    private static bool IsTestProject(Project project) =>
        IsTrue(project, "IsTestProject")
        || project.GetItems("PackageReference").Any(r => TestPackages.Contains(r.EvaluatedInclude, StringComparer.OrdinalIgnoreCase));

    private static IEnumerable<string> ProjectsUnder(string folder)
    {
        var pending = new Stack<string>([folder]);
        while (pending.TryPop(out var dir))
        {
            foreach (var file in WorkspaceFolders.ProjectsIn(dir))
                yield return file;
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                var name = Path.GetFileName(sub);
                if (!name.StartsWith('.') && !WorkspaceFolders.IsIgnored(name))
                    pending.Push(sub);
            }
        }
    }
}
