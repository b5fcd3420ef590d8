using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestra.Configuration;
using Orchestra.Launching;

namespace Orchestra.State;

/// <summary>
/// The host ports of the vendors' ports written without one (<c>"5432"</c>), chosen once and remembered in
/// <c>.orchestra/vendor-ports.json</c>. The services are told a vendor's address before its container starts, and a
/// reused container keeps the ports it was created with, so the choice must outlive every process: the planner
/// assigns before it launches, the container runner publishes what was assigned, and <c>env</c> and <c>config</c>
/// read it.
/// </summary>
public sealed class VendorPortAssignments(string stateDirectory)
{
    public const string FileName = "vendor-ports.json";

    public string FilePath => Path.Combine(stateDirectory, FileName);

    /// <summary>
    /// The host port of every port of <paramref name="vendors"/>: the fixed one when written <c>HOST:CONTAINER</c>;
    /// else the one remembered; else a free port of 127.0.0.1, remembered from now on. A remembered port that another
    /// process holds now is kept, not moved: the container runner names that process. Writes the file only when it
    /// chose a port or the file could not be used.
    /// </summary>
    /// <exception cref="StateFolderException">The state folder or the file is not the user's alone.</exception>
    public VendorPortTable Assign(IEnumerable<VendorConfig> vendors)
    {
        var list = vendors.ToList();
        if (list.Count == 0)
            return VendorPortTable.Empty;
        var (remembered, usable) = Load();
        var fixedPorts = FixedPorts(list);
        // Never hand out a port another vendor remembers or fixes, even when nothing listens there now.
        var taken = remembered.Values.SelectMany(p => p.Values).Concat(fixedPorts).ToHashSet();
        var chose = false;
        var table = new Dictionary<string, IReadOnlyList<VendorPortBinding>>(StringComparer.Ordinal);
        foreach (var vendor in list)
        {
            var ports = remembered.TryGetValue(vendor.Name, out var mine) ? mine : (remembered[vendor.Name] = []);
            var bindings = new List<VendorPortBinding>();
            foreach (var port in vendor.Ports)
            {
                if (HostPort(vendor, port, remembered, fixedPorts) is { } known)
                {
                    bindings.Add(new VendorPortBinding(port.ContainerPort, known));
                    continue;
                }
                int chosen;
                do
                    chosen = LoopbackPorts.Next();
                while (!taken.Add(chosen));
                ports[port.ContainerPort] = chosen;
                bindings.Add(new VendorPortBinding(port.ContainerPort, chosen));
                chose = true;
            }
            table[vendor.Name] = bindings;
        }
        if (chose || !usable)
        {
            StateFolder.Create(stateDirectory);
            var document = new VendorPortsDocument(remembered.Where(v => v.Value.Count > 0).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal));
            StateFolder.WriteText(FilePath, JsonSerializer.Serialize(document, VendorPortsJson.Default.VendorPortsDocument));
        }
        return new VendorPortTable(table);
    }

    /// <summary>The host ports of <paramref name="vendors"/> known now, fixed or remembered, without choosing or writing anything.</summary>
    /// <exception cref="StateFolderException">The file is not the user's alone.</exception>
    public VendorPortTable Known(IEnumerable<VendorConfig> vendors)
    {
        var list = vendors.ToList();
        // A workspace without vendors (most of them) has nothing to look up: every replica's spec asks.
        if (list.Count == 0)
            return VendorPortTable.Empty;
        var (remembered, _) = Load();
        var fixedPorts = FixedPorts(list);
        return new VendorPortTable(list.ToDictionary(
            v => v.Name,
            v => (IReadOnlyList<VendorPortBinding>)v.Ports
                .Select(p => HostPort(v, p, remembered, fixedPorts) is { } host ? new VendorPortBinding(p.ContainerPort, host) : (VendorPortBinding?)null)
                .OfType<VendorPortBinding>()
                .ToList(),
            StringComparer.Ordinal));
    }

    /// <summary>The host port <paramref name="containerPort"/> of <paramref name="vendor"/> is published on, or null before its first assignment; reads without writing.</summary>
    public int? Find(VendorConfig vendor, int containerPort) => Known([vendor]).HostPort(vendor.Name, containerPort);

    private static HashSet<int> FixedPorts(IEnumerable<VendorConfig> vendors) =>
        vendors.SelectMany(v => v.Ports).Select(p => p.HostPort).OfType<int>().ToHashSet();

    /// <summary>
    /// The fixed host port, else the remembered one unless a vendor now fixes that port for itself (an edit of
    /// orchestra.yml), which would publish one port twice.
    /// </summary>
    private static int? HostPort(VendorConfig vendor, VendorPort port, Dictionary<string, Dictionary<int, int>> remembered, HashSet<int> fixedPorts) =>
        port.HostPort ?? (remembered.TryGetValue(vendor.Name, out var ports) && ports.TryGetValue(port.ContainerPort, out var kept) && !fixedPorts.Contains(kept) ? kept : null);

    /// <summary>What the file remembers, by vendor then container port; empty, and not usable, when it is corrupt.</summary>
    private (Dictionary<string, Dictionary<int, int>> Remembered, bool Usable) Load()
    {
        var empty = new Dictionary<string, Dictionary<int, int>>(StringComparer.Ordinal);
        if (StateFolder.ReadText(FilePath) is not { } text)
            return (empty, true);
        try
        {
            var document = JsonSerializer.Deserialize(text, VendorPortsJson.Default.VendorPortsDocument);
            if (document?.Vendors is not { } vendors || vendors.Values.Any(ports => ports is null || ports.Any(p => !IsPort(p.Key) || !IsPort(p.Value))))
                return (empty, false);
            return (new Dictionary<string, Dictionary<int, int>>(vendors, StringComparer.Ordinal), true);
        }
        catch (JsonException)
        {
            // A file cut short or edited by hand: choose again rather than refuse to run.
            return (empty, false);
        }
    }

    private static bool IsPort(int port) => port is >= 1 and <= 65535;
}

/// <summary>What <c>vendor-ports.json</c> holds: by vendor, its container ports and the host port each is published on.</summary>
internal sealed record VendorPortsDocument(Dictionary<string, Dictionary<int, int>> Vendors)
{
    public int Version { get; init; } = 1;
}

/// <summary>Source-generated serialization of <c>vendor-ports.json</c>: no reflection.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VendorPortsDocument))]
internal sealed partial class VendorPortsJson : JsonSerializerContext;
