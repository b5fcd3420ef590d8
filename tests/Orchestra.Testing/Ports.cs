using System.Net;
using System.Net.Sockets;

namespace Orchestra.Testing;

/// <summary>Loopback ports for services under test.</summary>
public static class Ports
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port nothing listens on right now, released for the service: from 10000 to 14999, below both the ports the
    /// product chooses (from 15000) and the kernel's ephemeral range, since a port the kernel picks for a bind to port 0
    /// may go to an outgoing connection (the suite makes thousands) before the service binds it.
    /// </summary>
    /// <remarks>
    /// Never the same port twice in one test process: a port handed to a test whose service has not bound it yet is
    /// free to the bind check, and a second test given it would find the first one's service on its port.
    /// </remarks>
    public static int Free()
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var port = Random.Shared.Next(10000, 15000);
            lock (Given)
            {
                if (!Given.Add(port))
                    continue;
            }
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
        throw new InvalidOperationException("No free port from 10000 to 14999 in 64 tries.");
    }
}
