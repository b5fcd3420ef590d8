using System.Text;
using System.Text.Json;
using Orchestra.Configuration;

namespace Orchestra.Discovery;

/// <summary>A file <c>init</c> writes, and whether it was written or left alone because it existed.</summary>
public sealed record ScaffoldedFile(string Path, bool Written);

/// <summary>What <c>init</c> did: the files, and the projects it passed over with the reason.</summary>
public sealed record ScaffoldResult(IReadOnlyList<ScaffoldedFile> Files, IReadOnlyList<string> Skipped);

/// <summary>
/// Writes orchestra.yml and a service.yml for each runnable project found one or two folders down, and the MSBuild
/// entry point orchestra.proj. It reads project files as text, not with MSBuild, so that <c>init</c> stays instant;
/// it never overwrites a file.
/// </summary>
public static class WorkspaceScaffolder
{
    /// <summary>The MSBuild entry point at the workspace root (SPEC §7).</summary>
    public const string EntryPointFileName = "orchestra.proj";

    private const int FirstPort = 5100;

    /// <param name="toolVersion">The running tool's version: orchestra.proj asks for the MSBuild package of the same one.</param>
    public static ScaffoldResult Scaffold(string root, string toolVersion)
    {
        root = Path.GetFullPath(root);
        var files = new List<ScaffoldedFile>();
        var skipped = new List<string>();
        var globs = new SortedSet<string>(StringComparer.Ordinal);
        var usedPorts = new HashSet<int>();
        var services = new List<(string Folder, string Project, int? Port)>();

        foreach (var folder in CandidateFolders(root))
        {
            var projects = WorkspaceFolders.ProjectsIn(folder);
            var relative = Path.GetRelativePath(root, folder).Replace('\\', '/');
            if (projects.Count == 0)
                continue;
            if (projects.Count > 1)
            {
                skipped.Add($"{relative}: several projects; write its service.yml by hand with 'project:'.");
                continue;
            }
            var text = File.ReadAllText(projects[0]);
            if (IsTestProject(text))
            {
                skipped.Add($"{relative}: a test project.");
                continue;
            }
            var isWeb = text.Contains("Microsoft.NET.Sdk.Web", StringComparison.OrdinalIgnoreCase);
            if (!isWeb && !IsRunnable(text))
            {
                skipped.Add($"{relative}: a library, not runnable.");
                continue;
            }
            int? port = null;
            if (isWeb)
            {
                port = LaunchSettingsPort(folder) is { } fromSettings && usedPorts.Add(fromSettings)
                    ? fromSettings
                    : Enumerable.Range(FirstPort, 1000).First(usedPorts.Add);
            }
            services.Add((folder, Path.GetFileName(projects[0]), port));
            globs.Add(relative.Contains('/') ? relative[..relative.LastIndexOf('/')] + "/*" : "*");
        }

        foreach (var (folder, project, port) in services)
            files.Add(WriteNew(Path.Combine(folder, ServiceConfigReader.FileName), ServiceYaml(project, port)));
        files.Insert(0, WriteNew(Path.Combine(root, WorkspaceConfigReader.FileName), WorkspaceYaml(Path.GetFileName(root), globs)));
        files.Insert(1, WriteNew(Path.Combine(root, EntryPointFileName), EntryPoint(toolVersion)));
        return new ScaffoldResult(files, skipped);
    }

    private static IEnumerable<string> CandidateFolders(string root)
    {
        foreach (var first in Subfolders(root))
        {
            yield return first;
            foreach (var second in Subfolders(first))
                yield return second;
        }
    }

    private static IEnumerable<string> Subfolders(string folder) =>
        Directory.EnumerateDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.') && !WorkspaceFolders.IsIgnored(Path.GetFileName(d)))
            .Order(StringComparer.Ordinal);

    private static bool IsTestProject(string projectText) =>
        projectText.Contains("Microsoft.NET.Test.Sdk", StringComparison.OrdinalIgnoreCase)
        || projectText.Contains("<IsTestProject>true</IsTestProject>", StringComparison.OrdinalIgnoreCase);

    private static bool IsRunnable(string projectText) =>
        projectText.Contains("<OutputType>Exe</OutputType>", StringComparison.OrdinalIgnoreCase)
        || projectText.Contains("Microsoft.NET.Sdk.Worker", StringComparison.OrdinalIgnoreCase);

    /// <summary>The port of the first http URL in Properties/launchSettings.json, which is where <c>dotnet new</c> puts it.</summary>
    private static int? LaunchSettingsPort(string folder)
    {
        var path = Path.Combine(folder, "Properties", "launchSettings.json");
        if (!File.Exists(path))
            return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("profiles", out var profiles))
                return null;
            foreach (var profile in profiles.EnumerateObject())
            {
                if (!profile.Value.TryGetProperty("applicationUrl", out var urls) || urls.GetString() is not { } list)
                    continue;
                foreach (var url in list.Split(';'))
                {
                    if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(url, UriKind.Absolute, out var uri))
                        return uri.Port;
                }
            }
        }
        catch (JsonException)
        {
            // A launchSettings.json that does not parse only costs the port suggestion.
        }
        return null;
    }

    private static ScaffoldedFile WriteNew(string path, string content)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            stream.Write(Encoding.UTF8.GetBytes(content));
            return new ScaffoldedFile(path, Written: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return new ScaffoldedFile(path, Written: false);
        }
    }

    private static string WorkspaceYaml(string name, IReadOnlyCollection<string> globs)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("# Orchestra workspace: every folder the 'services' globs match that holds a service.yml is a service.");
        yaml.AppendLine($"name: {name}");
        if (globs.Count > 0 && !(globs.Count == 1 && globs.Contains("*")))
            yaml.AppendLine($"services: [{string.Join(", ", globs.Select(g => $"\"{g}\""))}]");
        yaml.AppendLine("env:");
        yaml.AppendLine("  ASPNETCORE_ENVIRONMENT: Development");
        return yaml.ToString();
    }

    private static string ServiceYaml(string project, int? port)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine($"project: {project}");
        if (port is { } p)
            yaml.AppendLine($"port: {p}");
        return yaml.ToString();
    }

    // An XML comment may not hold two hyphens in a row, so the text names no long option.
    private static string EntryPoint(string toolVersion) => $"""
        <!--
          Orchestra's entry point for MSBuild and CI, written by `dotnet orchestra init`. Commit it.

            dotnet build {EntryPointFileName} -t:OrchestraUp     build and start the workspace in the background, wait until it is healthy
            dotnet build {EntryPointFileName} -t:OrchestraDown   stop it
            dotnet build {EntryPointFileName} -t:OrchestraTest   up, the acceptance tests of orchestra.yml, then down, even when they fail

          The targets come from the Orchestra.MSBuild package, loaded as an MSBuild project SDK: MSBuild fetches it from
          the feeds of NuGet.config (nuget.org, or a folder of packages) as it reads this file, so this project needs no
          PackageReference and no restore, and it compiles nothing. The package runs the orchestra tool of its own
          version, which it looks for in OrchestraToolPath, else as a local tool of .config/dotnet-tools.json, else as
          the global tool, and refuses any other version (error ORC002): update both versions together.
        -->
        <Project Sdk="Orchestra.MSBuild/{toolVersion}">
          <PropertyGroup>
            <!-- Where the tool is, when it was installed into a folder with the tool-path option of dotnet tool install:
            <OrchestraToolPath>.tools</OrchestraToolPath>
            -->
          </PropertyGroup>
        </Project>

        """;
}
