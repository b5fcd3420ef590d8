namespace Orchestra.Discovery;

/// <summary>
/// The order services start in: waves, each holding services whose service dependencies are all in earlier
/// waves, so that a wave can start in parallel. The workspace validator has already rejected cycles.
/// </summary>
public static class DependencyOrder
{
    /// <summary>The selection plus every service it depends on, directly or not.</summary>
    public static IReadOnlyList<ServiceDefinition> WithDependencies(Workspace workspace, IEnumerable<ServiceDefinition> selection)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<ServiceDefinition>(selection);
        while (pending.TryPop(out var service))
        {
            if (!result.Add(service.Name))
                continue;
            foreach (var dependency in service.DependsOn)
            {
                if (workspace.FindService(dependency) is { } next)
                    pending.Push(next);
            }
        }
        return workspace.Services.Where(s => result.Contains(s.Name)).ToList();
    }

    /// <summary>Start waves for <paramref name="services"/>; dependencies outside the set are taken as met.</summary>
    public static IReadOnlyList<IReadOnlyList<ServiceDefinition>> Waves(IReadOnlyList<ServiceDefinition> services) =>
        Waves(services, s => s.Name, s => s.DependsOn);

    /// <summary>
    /// Start waves for any named items that depend on others by name (services, vendors): each wave holds the items
    /// whose dependencies inside the set are all in earlier waves. Dependencies outside the set are taken as met.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<T>> Waves<T>(IReadOnlyList<T> items, Func<T, string> name, Func<T, IEnumerable<string>> dependsOn)
    {
        var names = items.Select(name).ToHashSet(StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var waves = new List<IReadOnlyList<T>>();
        var remaining = items.ToList();
        while (remaining.Count > 0)
        {
            var wave = remaining.Where(i => dependsOn(i).All(d => !names.Contains(d) || placed.Contains(d))).ToList();
            if (wave.Count == 0)
                throw new InvalidOperationException($"depends_on has a cycle among {string.Join(", ", remaining.Select(name))}.");
            waves.Add(wave);
            placed.UnionWith(wave.Select(name));
            remaining.RemoveAll(wave.Contains);
        }
        return waves;
    }

    /// <summary>Stop order: the reverse of the start waves, so that nothing loses a dependency while it runs.</summary>
    public static IReadOnlyList<IReadOnlyList<ServiceDefinition>> StopWaves(IReadOnlyList<ServiceDefinition> services) =>
        Waves(services).Reverse().ToList();
}
