namespace Orchestra.Vendors.Containers;

/// <summary>
/// The labels Orchestra puts on its containers. A container is Orchestra's only when it carries the workspace label
/// with the workspace's path: never by its name alone, so a stranger's container of the same name is left alone.
/// </summary>
public static class ContainerLabels
{
    public const string Workspace = "orchestra.workspace";
    public const string Service = "orchestra.service";
    public const string Configuration = "orchestra.config";
    /// <summary>On a service replica's container only (<c>start --docker</c>): which replica it is. A vendor's has none.</summary>
    public const string Replica = "orchestra.replica";

    /// <summary>The labels of the container made from <paramref name="spec"/>.</summary>
    public static Dictionary<string, string> Of(ContainerSpec spec)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Workspace] = spec.Workspace,
            [Service] = spec.Service,
            [Configuration] = spec.ConfigurationHash,
        };
        if (spec.IsServiceReplica)
            labels[Replica] = spec.Replica.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return labels;
    }

    /// <summary>Docker's list filter for the containers of <paramref name="workspace"/>.</summary>
    public static IDictionary<string, IDictionary<string, bool>> FilterFor(string workspace) =>
        new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Workspace}={workspace}"] = true } };

    /// <summary>Whether <paramref name="labels"/> say the container belongs to <paramref name="workspace"/>.</summary>
    public static bool BelongsTo(IDictionary<string, string>? labels, string workspace) =>
        labels is not null && labels.TryGetValue(Workspace, out var value) && value == workspace;
}
