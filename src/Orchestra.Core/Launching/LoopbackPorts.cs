using System.Net;
using System.Net.Sockets;

namespace Orchestra.Launching;

/// <summary>
/// Chooses free ports on 127.0.0.1: the one a replica behind the port proxy listens on, and the one a vendor's
/// container port is published on.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A port nothing listens on now, as the kernel picks one for a bind to port 0. It is not reserved: the replica or
    /// container binds it moments later, and keeps it across its restarts, so a lost race shows as one that fails to start.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
