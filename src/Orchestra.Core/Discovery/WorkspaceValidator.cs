using Orchestra.Configuration;
using Orchestra.Variables;

namespace Orchestra.Discovery;

/// <summary>Checks the rules that span several files: dependencies, cycles, names, ports, the <c>tests:</c> projects and the environment's env files and references.</summary>
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
            errors.AddRange(TestProjectPaths.Errors(service));
        }
        foreach (var vendor in workspace.Vendors)
        {
            foreach (var dependency in vendor.DependsOn)
            {
                if (dependency.Value == vendor.Name)
                    errors.Add(dependency.Location, $"vendor '{vendor.Name}' depends on itself.");
                else if (!vendors.Contains(dependency.Value))
                    errors.Add(dependency.Location, UnknownVendorDependency(vendor.Name, dependency.Value, services.ContainsKey(dependency.Value), vendors));
            }
        }
        // Services and vendors share one graph: a service may wait for a vendor, never the other way round (a vendor
        // naming a service is reported above, not again as a cycle).
        var graph = workspace.Services.Select(s => (s.Name, s.Config.DependsOn))
            .Concat(workspace.Vendors.Select(v => (v.Name, (IReadOnlyList<Located<string>>)v.DependsOn.Where(d => vendors.Contains(d.Value)).ToList())))
            .ToList();
        CheckCycles(graph, errors);
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

    /// <summary>A vendor starts before every service, so it can only wait for other vendors.</summary>
    private static string UnknownVendorDependency(string vendor, string name, bool isService, IEnumerable<string> vendors)
    {
        var others = vendors.Where(v => v != vendor).Order(StringComparer.Ordinal).ToList();
        var hint = Suggestions.Closest(name, others) is { } near ? $" Did you mean '{near}'?" : "";
        var what = isService ? "a service, and a vendor can only depend on vendors" : "not a vendor";
        return $"depends_on of vendor '{vendor}' names '{name}', which is {what}.{hint} Vendors: {(others.Count == 0 ? "none" : string.Join(", ", others))}.";
    }

    /// <summary>Depth-first search; a back edge closes a cycle, printed as <c>a -> b -> a</c>.</summary>
    private static void CheckCycles(IReadOnlyList<(string Name, IReadOnlyList<Located<string>> DependsOn)> all, ErrorSink errors)
    {
        var byName = new Dictionary<string, IReadOnlyList<Located<string>>>(StringComparer.Ordinal);
        foreach (var (name, dependsOn) in all)
            byName.TryAdd(name, dependsOn); // A vendor named like a service is reported above.
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        var reported = false;

        void Visit(string name)
        {
            if (reported || done.Contains(name))
                return;
            path.Add(name);
            foreach (var dependency in byName[name])
            {
                var next = dependency.Value;
                if (!byName.ContainsKey(next) || next == name)
                    continue;
                var start = path.IndexOf(next);
                if (start >= 0)
                {
                    var cycle = path.Skip(start).Append(next);
                    errors.Add(dependency.Location, $"depends_on makes a cycle: {string.Join(" -> ", cycle)}.");
                    reported = true;
                    return;
                }
                Visit(next);
                if (reported)
                    return;
            }
            path.RemoveAt(path.Count - 1);
            done.Add(name);
        }

        foreach (var (name, _) in all)
            Visit(name);
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
