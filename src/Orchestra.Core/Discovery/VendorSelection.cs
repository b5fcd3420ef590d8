using Orchestra.Configuration;

namespace Orchestra.Discovery;

/// <summary>Which vendors a command brings up with the services it starts.</summary>
public static class VendorSelection
{
    /// <summary>
    /// Every vendor when the whole workspace starts (<paramref name="everything"/>); otherwise only those the
    /// <paramref name="selected"/> services name in <c>depends_on</c>.
    /// </summary>
    public static IReadOnlyList<string> ForStart(Workspace workspace, IReadOnlyList<ServiceDefinition> selected, bool everything)
    {
        var vendors = workspace.Vendors.Select(v => v.Name).ToList();
        if (everything)
            return vendors;
        var named = selected.SelectMany(s => s.Config.DependsOn.Select(d => d.Value)).ToHashSet(StringComparer.Ordinal);
        return vendors.Where(named.Contains).ToList();
    }

    /// <summary>
    /// The named vendors (all when none are named) and every vendor they depend on, in <c>depends_on</c> waves: each
    /// wave only after the one before is healthy. The configuration was checked for cycles when it was read.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<VendorConfig>> Waves(Workspace workspace, IReadOnlyCollection<string> names)
    {
        var byName = workspace.Vendors.ToDictionary(v => v.Name, StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(names.Count == 0 ? byName.Keys : names);
        while (pending.TryPop(out var name))
        {
            if (byName.TryGetValue(name, out var vendor) && wanted.Add(name))
            {
                foreach (var dependency in vendor.DependsOn)
                    pending.Push(dependency.Value);
            }
        }
        return DependencyOrder.Waves(workspace.Vendors.Where(v => wanted.Contains(v.Name)).ToList(), v => v.Name, v => v.DependsOn.Select(d => d.Value));
    }
}
