using Orchestra.Errors;
using Orchestra.Configuration;
using Orchestra.Discovery;

namespace Orchestra.Selection;

/// <summary>
/// Turns command arguments into services: <c>a b</c> selects those, <c>~a</c> all but a, nothing selects all.
/// </summary>
public static class ServiceSelector
{
    /// <summary>The selected services in workspace order.</summary>
    /// <exception cref="SelectionException">Mixed modes or an unknown name.</exception>
    public static IReadOnlyList<ServiceDefinition> Select(Workspace workspace, IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0)
            return workspace.Services;
        var excluded = arguments.Where(a => a.StartsWith('~')).Select(a => a[1..]).ToList();
        var included = arguments.Where(a => !a.StartsWith('~')).ToList();
        if (excluded.Count > 0 && included.Count > 0)
            throw new SelectionException($"Select services either by name ({string.Join(" ", included)}) or by exclusion ({string.Join(" ", excluded.Select(e => "~" + e))}), not both.");

        var known = workspace.Services.Select(s => s.Name).ToList();
        foreach (var name in included.Concat(excluded))
        {
            if (workspace.FindService(name) is not null)
                continue;
            var hint = Suggestions.Closest(name, known) is { } near ? $" Did you mean '{near}'?" : "";
            var list = known.Count == 0 ? "there are none" : $"known services: {string.Join(", ", known)}";
            throw new SelectionException($"There is no service named '{name}' ({list}).{hint}");
        }
        return excluded.Count > 0
            ? workspace.Services.Where(s => !excluded.Contains(s.Name)).ToList()
            : workspace.Services.Where(s => included.Contains(s.Name)).ToList();
    }
}

/// <summary>The service arguments of a command do not name services of the workspace.</summary>
public sealed class SelectionException(string message) : OrchestraException(message, FailureKind.Usage);
