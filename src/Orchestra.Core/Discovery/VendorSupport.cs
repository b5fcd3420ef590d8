using Orchestra.Configuration;

namespace Orchestra.Discovery;

/// <summary>
/// Vendors are read and checked, but nothing starts them yet. Until something does, a service that depends on one
/// would wait on nothing, so the commands that run services refuse it in words instead.
/// </summary>
public static class VendorSupport
{
    private const string NotRunYet = "Orchestra does not run vendors yet";

    /// <summary>An error at each <c>depends_on</c> entry of <paramref name="services"/> that names a vendor.</summary>
    public static IReadOnlyList<ConfigurationError> UnmetDependencies(Workspace workspace, IEnumerable<ServiceDefinition> services) =>
        services
            .SelectMany(service => service.Config.DependsOn
                .Where(dependency => workspace.Vendors.Any(v => v.Name == dependency.Value))
                .Select(dependency => new ConfigurationError(dependency.Location,
                    $"service '{service.Name}' depends on vendor '{dependency.Value}', but {NotRunYet}; start it yourself and remove it from depends_on.")))
            .ToList();

    /// <summary>What <c>config</c> notes about the vendors it lists, or null when there are none.</summary>
    public static string? Note(Workspace workspace) =>
        workspace.Vendors.Count == 0
            ? null
            : $"{NotRunYet}: start {string.Join(", ", workspace.Vendors.Select(v => v.Name))} yourself.";
}
