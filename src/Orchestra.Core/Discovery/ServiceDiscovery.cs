using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using Orchestra.Configuration;

namespace Orchestra.Discovery;

/// <summary>Finds the service folders of a workspace and reads each one's service.yml.</summary>
public static class ServiceDiscovery
{

    /// <summary>Folders (full paths) holding a service.yml that the <c>services:</c> globs match, dot-folders skipped.</summary>
    public static IReadOnlyList<string> FindServiceFolders(string root, IReadOnlyList<string> globs)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        foreach (var glob in globs)
            matcher.AddInclude($"{glob.TrimEnd('/')}/{ServiceConfigReader.FileName}");
        matcher.AddExclude("**/.*/**");
        var result = matcher.Execute(new DirectoryInfoWrapper(new DirectoryInfo(root)));
        return result.Files
            .Select(f => f.Path.Split('/'))
            .Where(segments => !segments.Any(s => s.StartsWith('.')))
            .Select(segments => Path.GetFullPath(Path.Combine(root, Path.Combine(segments[..^1]))))
            .Where(dir => dir != Path.GetFullPath(root))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Reads the service.yml of each folder and resolves what the service is. Every error of every file is
    /// collected before one <see cref="ConfigurationException"/> is thrown.
    /// </summary>
    public static IReadOnlyList<ServiceDefinition> Discover(string root, WorkspaceConfig workspace)
    {
        var errors = new ErrorSink();
        var services = new List<ServiceDefinition>();
        var byName = new Dictionary<string, ServiceDefinition>(StringComparer.Ordinal);
        foreach (var folder in FindServiceFolders(root, workspace.ServiceGlobs))
        {
            ServiceConfig config;
            try
            {
                config = ServiceConfigReader.Read(Path.Combine(folder, ServiceConfigReader.FileName));
            }
            catch (ConfigurationException e)
            {
                errors.AddRange(e.Errors);
                continue;
            }
            var name = config.Name?.Value ?? Path.GetFileName(folder);
            if (config.Name is null && ServiceConfigReader.NameProblem(name) is { } problem)
            {
                errors.Add(new SourceLocation(config.FilePath, 1, 1), $"the folder name '{Excerpt.Of(name)}' cannot be a service name, which {problem}; give one with 'name:'.");
                continue;
            }
            if (byName.TryGetValue(name, out var first))
            {
                errors.Add(config.Name?.Location ?? new SourceLocation(config.FilePath, 1, 1),
                    $"two services are named '{name}': {first.Directory} and {folder}; give one of them another 'name:'.");
                continue;
            }
            if (Resolve(name, folder, config, workspace.Defaults, errors) is { } service)
            {
                services.Add(service);
                byName[name] = service;
            }
        }
        errors.ThrowIfAny();
        return services.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    private static ServiceDefinition? Resolve(string name, string folder, ServiceConfig config, ServiceDefaults defaults, ErrorSink errors)
    {
        var projectPath = FindProject(name, folder, config, errors, out var ok);
        if (!ok)
            return null;
        var health = config.Health ?? new HealthConfig(HealthKind.Default, null, HealthConfig.DefaultInterval, HealthConfig.DefaultTimeout);
        if (health.Kind == HealthKind.Default)
            health = health with { Kind = config.Port is null ? HealthKind.None : HealthKind.Tcp };
        if (health.Kind is HealthKind.Tcp or HealthKind.Http && config.Port is null)
            errors.Add(health.Location,
                $"service '{name}' has a {health.Kind.ToString().ToLowerInvariant()} health check but no port to probe; add 'port:'.");
        return new ServiceDefinition
        {
            Name = name,
            Directory = folder,
            Config = config,
            Kind = config.Command is null ? ServiceKind.Project : ServiceKind.Command,
            ProjectPath = projectPath,
            Restart = config.Restart ?? defaults.Restart,
            StopTimeout = config.Stop.Timeout ?? defaults.StopTimeout,
            Health = health,
        };
    }

    private static string? FindProject(string name, string folder, ServiceConfig config, ErrorSink errors, out bool ok)
    {
        ok = true;
        if (config.Project is { } named)
        {
            var path = Path.GetFullPath(named.Value, folder);
            if (File.Exists(path))
                return path;
            ok = false;
            errors.Add(named.Location, $"the project {named.Value} of service '{name}' does not exist ({path}).");
            return null;
        }
        var found = WorkspaceFolders.ProjectsIn(folder).Order(StringComparer.OrdinalIgnoreCase).ToList();
        if (found.Count == 1)
            return found[0];
        if (config.Command is not null)
            return null;
        ok = false;
        var at = new SourceLocation(config.FilePath, 1, 1);
        if (found.Count == 0)
            errors.Add(at, $"service '{name}' has no project file (*.csproj or *.fsproj) in {folder} and no 'project:' or 'command:' in its service.yml.");
        else
            errors.Add(at, $"service '{name}' has several project files in {folder} ({string.Join(", ", found.Select(Path.GetFileName))}); name one with 'project:'.");
        return null;
    }
}
