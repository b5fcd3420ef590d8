using System.Text.RegularExpressions;
using Orchestra.Configuration.Yaml;

namespace Orchestra.Configuration;

/// <summary>
/// Reads a vendor's <c>volumes:</c>, each <c>SOURCE:/container/path</c> with an optional <c>:ro</c> or <c>:rw</c>.
/// SOURCE is a named volume, an absolute host path, or a host path relative to the workspace (starting with
/// <c>./</c> or <c>../</c>, as docker compose writes it), made absolute here so that the container runner never
/// depends on its own working folder.
/// </summary>
internal static partial class VendorVolumes
{
    private const string Expected =
        "a vendor volume must be 'NAME:/container/path', '/host/path:/container/path' or './host/path:/container/path', optionally followed by ':ro'";

    /// <summary>Docker's rule for a volume name.</summary>
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex VolumeName();

    public static IReadOnlyList<VendorVolume> Read(MappingReader vendor, string workspaceRoot)
    {
        var volumes = new List<VendorVolume>();
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in vendor.StringList("volumes") ?? [])
        {
            var (volume, problem) = Parse(item.Value, workspaceRoot);
            if (volume is null)
                vendor.Errors.Add(item.Location, problem!);
            else if (targets.TryGetValue(volume.Target, out var first))
                vendor.Errors.Add(item.Location, $"{volume.Target} is already mounted by the volume '{first}'.");
            else
            {
                targets[volume.Target] = item.Value;
                volumes.Add(volume);
            }
        }
        return volumes;
    }

    private static (VendorVolume? Volume, string? Problem) Parse(string text, string workspaceRoot)
    {
        var parts = text.Split(':');
        if (parts.Length is not (2 or 3) || parts[0].Length == 0 || parts[1].Length == 0)
            return (null, $"{Expected}, got '{Excerpt.Of(text)}'.");
        var (source, target) = (parts[0], parts[1]);
        var readOnly = false;
        if (parts.Length == 3)
        {
            if (parts[2] is not ("ro" or "rw"))
                return (null, $"the mode of a volume must be ro or rw, got '{Excerpt.Of(parts[2])}'.");
            readOnly = parts[2] == "ro";
        }
        if (!target.StartsWith('/'))
            return (null, $"the container path of a volume must be absolute, got '{Excerpt.Of(target)}'.");
        if (source.StartsWith('/'))
            return (new VendorVolume(Path.GetFullPath(source), target, readOnly, Named: false), null);
        if (source is "." or ".." || source.StartsWith("./", StringComparison.Ordinal) || source.StartsWith("../", StringComparison.Ordinal))
            return (new VendorVolume(Path.GetFullPath(source, workspaceRoot), target, readOnly, Named: false), null);
        if (!VolumeName().IsMatch(source))
        {
            return (null, $"'{Excerpt.Of(source)}' is neither a volume name (a letter or digit, then letters, digits, '_', '.' or '-') "
                + "nor a host path (absolute, or starting with ./ or ../).");
        }
        return (new VendorVolume(source, target, readOnly, Named: true), null);
    }
}
