using System.Net;
using System.Net.Sockets;

namespace Orchestra.Runtime.Health;

/// <summary>Ready when a TCP connection to 127.0.0.1:port succeeds.</summary>
public sealed class TcpProbe(int port) : IHealthProbe
{
    public bool WatchesLiveness => true;

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
