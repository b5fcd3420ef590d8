using Orchestra.Configuration;

namespace Orchestra.Discovery;

/// <summary>
/// The project a <c>tests:</c> entry of service.yml names: a project file, or a folder holding exactly one, relative
/// to the service folder. One rule for the validation that reports a bad entry and the evaluation that uses it.
/// </summary>
public static class TestProjectPaths
{
    /// <summary>The full path of the project <paramref name="entry"/> names, or null when it names none.</summary>
    public static string? Resolve(ServiceDefinition service, string entry) => Resolve(service.Directory, entry);

    /// <summary>The full path of the project <paramref name="entry"/>, relative to <paramref name="directory"/>, names, or null when it names none.</summary>
    public static string? Resolve(string directory, string entry)
    {
        var path = Path.GetFullPath(entry, directory);
        if (File.Exists(path))
            return IsProjectFile(path) ? path : null;
        var found = Directory.Exists(path) ? WorkspaceFolders.ProjectsIn(path) : [];
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>The configuration errors of the service's <c>tests:</c> entries, each at the entry.</summary>
    public static IEnumerable<ConfigurationError> Errors(ServiceDefinition service) =>
        service.Config.Tests
            .Where(t => Resolve(service, t.Value) is null)
            .Select(t => new ConfigurationError(t.Location,
                $"the test project '{t.Value}' of service '{service.Name}' is neither a project file nor a folder holding exactly one ({Path.GetFullPath(t.Value, service.Directory)})."));

    private static bool IsProjectFile(string path) =>
        WorkspaceFolders.ProjectPatterns.Any(pattern => Path.GetExtension(path).Equals(pattern.TrimStart('*'), StringComparison.OrdinalIgnoreCase));
}
