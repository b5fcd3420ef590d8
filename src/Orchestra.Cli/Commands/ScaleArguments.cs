using System.Globalization;
using Orchestra.Discovery;
using Orchestra.Selection;

namespace Orchestra.Cli.Commands;

/// <summary>Replica counts as <c>scale</c> and <c>start --scale</c> take them: <c>svc=N</c>, or a bare <c>N</c> for every service meant.</summary>
internal static class ScaleArguments
{
    /// <summary>
    /// The count per service; a bare <c>N</c> applies to <paramref name="meant"/>. Throws <see cref="UsageException"/>
    /// naming the first value that is malformed, names an unknown service, or asks what the service cannot run.
    /// </summary>
    public static Dictionary<string, int> Parse(IEnumerable<string?> values, Workspace workspace, IReadOnlyList<ServiceDefinition> meant)
    {
        var scales = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in values.OfType<string>())
        {
            var (name, countText) = value.IndexOf('=') is var at and >= 0 ? (value[..at], value[(at + 1)..]) : (null, value);
            if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || name is "" || name?.StartsWith('~') == true)
                throw new UsageException($"'{value}' is not a replica count: write svc=N or N, with N a whole number.");
            var services = name is null ? meant : ServiceSelector.Select(workspace, [name]);
            foreach (var service in services)
            {
                if (service.CannotScaleTo(count) is { } problem)
                    throw new UsageException($"Cannot scale to {count}: {problem}");
                scales[service.Name] = count;
            }
        }
        return scales;
    }
}
