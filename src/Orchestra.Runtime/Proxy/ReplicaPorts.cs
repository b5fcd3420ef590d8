using System.Net;
using System.Net.Sockets;

namespace Orchestra.Runtime.Proxy;

/// <summary>Chooses the loopback port a replica behind the port proxy listens on.</summary>
public static class ReplicaPorts
{
    /// <summary>
    /// A port nothing listens on now, as the kernel picks one for a bind to port 0. It is not reserved: the replica
    /// binds it moments later, and keeps it across its restarts, so a lost race shows as a replica that fails to start.
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
