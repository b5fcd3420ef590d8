using Orchestra.Configuration;
using Orchestra.Variables;

namespace Orchestra.Discovery;

/// <summary>Checks the rules that span several files: dependencies, cycles, names, ports and the environment's env files and references.</summary>
internal static class WorkspaceValidator
{
    public static void Validate(Workspace workspace)
    {
        var errors = new ErrorSink();
        var services = workspace.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var vendors = workspace.Vendors.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var vendor in workspace.Vendors.Where(v => services.ContainsKey(v.Name)))
            errors.Add(vendor.Location, $"'{vendor.Name}' names both a vendor and the service in {services[vendor.Name].Directory}; rename one.");

        foreach (var service in workspace.Services)
        {
            foreach (var dependency in service.Config.DependsOn)
            {
                if (dependency.Value == service.Name)
                    errors.Add(dependency.Location, $"service '{service.Name}' depends on itself.");
                else if (!services.ContainsKey(dependency.Value) && !vendors.Contains(dependency.Value))
                    errors.Add(dependency.Location, UnknownDependency(dependency.Value, services.Keys.Concat(vendors)));
            }
        }
        CheckCycles(workspace.Services, services, errors);
        CheckPorts(workspace, errors);
        errors.AddRange(EnvironmentCheck.Errors(workspace));
        errors.ThrowIfAny();
    }

    private static string UnknownDependency(string name, IEnumerable<string> known)
    {
        var names = known.Order(StringComparer.Ordinal).ToList();
        var hint = Suggestions.Closest(name, names) is { } near ? $" Did you mean '{near}'?" : "";
        return $"depends_on names '{name}', which is neither a service nor a vendor.{hint} Known: {(names.Count == 0 ? "none" : string.Join(", ", names))}.";
    }

    /// <summary>Depth-first search; a back edge closes a cycle, printed as <c>a -> b -> a</c>.</summary>
    private static void CheckCycles(IReadOnlyList<ServiceDefinition> all, Dictionary<string, ServiceDefinition> byName, ErrorSink errors)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        var reported = false;

        void Visit(ServiceDefinition service)
        {
            if (reported || done.Contains(service.Name))
                return;
            path.Add(service.Name);
            foreach (var dependency in service.Config.DependsOn)
            {
                if (!byName.TryGetValue(dependency.Value, out var next) || next == service)
                    continue;
                var start = path.IndexOf(next.Name);
                if (start >= 0)
                {
                    var cycle = path.Skip(start).Append(next.Name);
                    errors.Add(dependency.Location, $"depends_on makes a cycle: {string.Join(" -> ", cycle)}.");
                    reported = true;
                    return;
                }
                Visit(next);
                if (reported)
                    return;
            }
            path.RemoveAt(path.Count - 1);
            done.Add(service.Name);
        }

        foreach (var service in all)
            Visit(service);
    }

    private static void CheckPorts(Workspace workspace, ErrorSink errors)
    {
        var owners = new Dictionary<int, string>();
        foreach (var service in workspace.Services)
        {
            if (service.Config.Port is not { } port)
                continue;
            if (owners.TryGetValue(port.Value, out var owner))
                errors.Add(port.Location, $"port {port.Value} of service '{service.Name}' is already the port of '{owner}'.");
            else
                owners[port.Value] = $"{service.Name}";
        }
        foreach (var vendor in workspace.Vendors)
        {
            foreach (var hostPort in vendor.Ports.Select(p => p.HostPort).OfType<int>())
            {
                if (owners.TryGetValue(hostPort, out var owner))
                    errors.Add(vendor.Location, $"host port {hostPort} of vendor '{vendor.Name}' is already the port of '{owner}'.");
                else
                    owners[hostPort] = $"vendor {vendor.Name}";
            }
        }
    }
}
