using Orchestra.Build.Building;
using Orchestra.Discovery;

namespace Orchestra.Build.Testing;

/// <summary>
/// Finds each service's unit test projects: those its evaluation names (<c>tests:</c>, else the <c>IsTestProject</c>
/// projects under its folder), or for a command service without a project, its <c>tests:</c> alone.
/// </summary>
internal static class TestDiscovery
{
    public static async Task<IReadOnlyList<ServiceTests>> FindAsync(IReadOnlyList<ServiceDefinition> services, FleetBuilder builder, CancellationToken cancellationToken)
    {
        var withProject = services.Where(s => s.ProjectPath is not null).ToList();
        var evaluated = withProject.Count == 0 ? [] : await builder.EvaluateAsync(withProject, cancellationToken);
        var found = new List<ServiceTests>();
        foreach (var service in services)
        {
            var outcome = evaluated.FirstOrDefault(e => e.Service.Name == service.Name);
            if (outcome is { Evaluation: null })
            {
                found.Add(new ServiceTests(service.Name, [], outcome.Error ?? $"{service.Name} could not be evaluated."));
                continue;
            }
            var paths = outcome?.Evaluation!.TestProjects
                ?? service.Config.Tests.Select(t => TestProjectPaths.Resolve(service, t.Value)).OfType<string>().ToList();
            found.Add(Named(service.Name, paths));
        }
        return found;
    }

    /// <summary>Each project named by its file; a second of the same name within the service gets a number.</summary>
    public static ServiceTests Named(string service, IReadOnlyList<string> paths)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var targets = new List<TestTarget>();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            for (var n = 2; !taken.Add(name); n++)
                name = $"{Path.GetFileNameWithoutExtension(path)}-{n}";
            targets.Add(new TestTarget(service, name, path));
        }
        return new ServiceTests(service, targets);
    }
}
