using System.Net;
using System.Net.Sockets;

namespace Orchestra.Launching;

/// <summary>
/// Chooses free ports on 127.0.0.1: the one a replica behind the port proxy listens on, and the one a vendor's
/// container port is published on.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>Where chosen ports start: above the ports services are usually configured on (and the 10000s the tests choose theirs from).</summary>
    internal const int Lowest = 15000;

    // Read once per process, not once per port: a scale of fifty chooses fifty.
    private static readonly Lazy<int> EphemeralStart = new(EphemeralRangeStart);

    /// <summary>
    /// A port nothing listens on now, chosen at random below the kernel's ephemeral range. It is not reserved: the
    /// replica or container binds it moments later, and keeps it across its restarts, so a lost race shows as one that
    /// fails to start. Below that range, the race is only with another program choosing a port: one the kernel picks
    /// for a bind to port 0 comes from the range it also hands every outgoing connection (each health probe, each
    /// proxied request), so one of those could take it before the replica binds it.
    /// </summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 64 && EphemeralStart.Value > Lowest; attempt++)
        {
            var port = Random.Shared.Next(Lowest, EphemeralStart.Value);
            if (IsFree(port))
                return port;
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first port of the ephemeral range (Linux: ip_local_port_range; elsewhere, and unreadable, the IANA range 49152).</summary>
    internal static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49152;
        }
    }

    /// <summary>Whether a listener could bind <paramref name="port"/> on 127.0.0.1 now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
