namespace Orchestra.State;

/// <summary>One port of a vendor: its container port and the port on 127.0.0.1 it is published on.</summary>
public readonly record struct VendorPortBinding(int ContainerPort, int HostPort);

/// <summary>
/// The host ports of the vendors' ports, by vendor, in the order the ports are written: what the container runner
/// publishes, and what the services are told (<c>NAME_PORT</c>, <c>${port}</c>). Made by
/// <see cref="VendorPortAssignments"/>; a port not assigned yet is missing.
/// </summary>
public sealed class VendorPortTable(IReadOnlyDictionary<string, IReadOnlyList<VendorPortBinding>> byVendor)
{
    public static readonly VendorPortTable Empty = new(new Dictionary<string, IReadOnlyList<VendorPortBinding>>());

    /// <summary>The ports of <paramref name="vendor"/> with a host port; none when it has none, or none is assigned yet.</summary>
    public IReadOnlyList<VendorPortBinding> Of(string vendor) => byVendor.TryGetValue(vendor, out var ports) ? ports : [];

    /// <summary>The host port <paramref name="containerPort"/> of <paramref name="vendor"/> is published on, or null when not assigned yet.</summary>
    public int? HostPort(string vendor, int containerPort) =>
        Of(vendor).Where(p => p.ContainerPort == containerPort).Select(p => (int?)p.HostPort).FirstOrDefault();
}
