using System.Net;
using System.Net.Sockets;

namespace Orchestra.Testing;

/// <summary>Loopback ports for services under test.</summary>
public static class Ports
{
    /// <summary>A port nothing listens on right now: the kernel picks it, then it is released for the service.</summary>
    public static int Free()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
