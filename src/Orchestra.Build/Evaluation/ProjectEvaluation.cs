namespace Orchestra.Build.Evaluation;

/// <summary>
/// What MSBuild says about a service's project: how to run it, what it builds, what to watch and which test projects
/// belong to it. Plain data with no MSBuild type, so that it can be cached in <c>.orchestra/</c> and used by code that
/// must not load MSBuild.
/// </summary>
public sealed record ProjectEvaluation
{
    public required string ServiceName { get; init; }
    /// <summary>Full path of the project file.</summary>
    public required string ProjectPath { get; init; }
    /// <summary>The framework the service builds and runs for, e.g. <c>net10.0</c>.</summary>
    public required string TargetFramework { get; init; }
    /// <summary>
    /// The <c>TargetFramework</c> global property the project is evaluated and built with: the service's
    /// <c>framework:</c> for a multi-targeted project, null for a single-targeted one.
    /// </summary>
    public string? FrameworkProperty { get; init; }
    /// <summary><c>Exe</c>, <c>WinExe</c> or <c>Library</c>.</summary>
    public required string OutputType { get; init; }
    /// <summary>Whether the project produces something to run (an apphost or a dll for <c>dotnet</c>).</summary>
    public required bool IsRunnable { get; init; }
    /// <summary><c>RunCommand</c>: the apphost, or <c>dotnet</c> when there is none.</summary>
    public required string RunCommand { get; init; }
    /// <summary><c>RunArguments</c>, e.g. <c>exec "…/Api.dll"</c> when there is no apphost.</summary>
    public required string RunArguments { get; init; }
    /// <summary>
    /// The project's <c>RunWorkingDirectory</c>, or null when it sets none: <c>dotnet run</c> then runs the program in
    /// the folder it is started from, which for a replica is the service's folder.
    /// </summary>
    public string? RunWorkingDirectory { get; init; }
    /// <summary>
    /// Whether it runs on ASP.NET Core (a <c>Microsoft.NET.Sdk.Web</c> project, or a framework reference to
    /// <c>Microsoft.AspNetCore.App</c>): <c>start --docker</c> then runs it on ASP.NET Core's image.
    /// </summary>
    public bool UsesAspNetCore { get; init; }
    /// <summary>The built assembly.</summary>
    public required string TargetPath { get; init; }
    /// <summary>Full paths of every project the service's project references, directly or not.</summary>
    public required IReadOnlyList<string> ReferencedProjects { get; init; }
    /// <summary>
    /// Files whose change means a rebuild: Compile, Content, EmbeddedResource, None and AdditionalFiles items, the
    /// project files and their imports, for the project and every project it references.
    /// </summary>
    public required IReadOnlyList<string> WatchFiles { get; init; }
    /// <summary>The project files and their imports alone: what the evaluation itself depends on.</summary>
    public required IReadOnlyList<string> EvaluationInputs { get; init; }
    /// <summary>
    /// The files restore writes for each project of the closure (its <c>project.assets.json</c> and
    /// <c>project.nuget.cache</c>), or none when a project has no assets file to name: a restore can then never be
    /// known to be current, and the build always restores. Required, so that a cached evaluation made before it was
    /// recorded no longer reads.
    /// </summary>
    public required IReadOnlyList<string> RestoreOutputs { get; init; }
    /// <summary>Folders holding the projects' own files, whose listing changes when a source file is added or removed.</summary>
    public required IReadOnlyList<string> SourceFolders { get; init; }
    /// <summary>The service's unit test projects: its <c>tests:</c>, or projects with <c>IsTestProject=true</c> under its folder.</summary>
    public required IReadOnlyList<string> TestProjects { get; init; }

    /// <summary>
    /// For a test project: whether it is a Microsoft.Testing.Platform application, which runs its own tests when
    /// started, rather than a VSTest one, which <c>dotnet vstest</c> runs.
    /// </summary>
    public bool IsTestingPlatform { get; init; }
    /// <summary>For a Microsoft.Testing.Platform test project: the option its framework takes a filter with.</summary>
    public string TestFilterOption { get; init; } = "--filter";
    /// <summary>
    /// <c>VSTestConsolePath</c>: the SDK's <c>vstest.console.dll</c>, which runs a VSTest project's tests without the
    /// <c>dotnet</c> CLI in between; null when the project names none. Required, so that a cached evaluation made
    /// before it was recorded no longer reads.
    /// </summary>
    public required string? VsTestConsole { get; init; }

    /// <summary>The projects whose build the service's build includes: its own and every one it references.</summary>
    public IEnumerable<string> ProjectClosure => ReferencedProjects.Prepend(ProjectPath);
}
