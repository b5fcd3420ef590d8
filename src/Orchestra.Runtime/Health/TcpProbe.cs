using System.Net;
using System.Net.Sockets;

namespace Orchestra.Runtime.Health;

/// <summary>Ready when a TCP connection to 127.0.0.1:port succeeds.</summary>
public sealed class TcpProbe(int port) : IHealthProbe
{
    public bool WatchesLiveness => true;

    public Task<bool> CheckAsync(CancellationToken cancellationToken) => ConnectsAsync(IPAddress.Loopback, port, cancellationToken);

    /// <summary>Whether a TCP connection to <paramref name="address"/>:<paramref name="port"/> is accepted.</summary>
    public static async Task<bool> ConnectsAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        return await ConnectAttempt.ConnectAsync(socket, new IPEndPoint(address, port), cancellationToken);
    }
}
