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
}
