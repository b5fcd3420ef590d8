using System.Net;
using System.Net.Sockets;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// How a proxy connects to a backend and then moves bytes between a client and its backend: the kernel-driven
/// <see cref="EpollRelay"/> on Linux, <see cref="SocketPumpRelay"/> (two async pumps per connection) elsewhere.
/// </summary>
internal interface IConnectionRelay
{
    /// <summary>Connects <paramref name="socket"/> to <paramref name="endpoint"/>; throws <see cref="SocketException"/> when refused.</summary>
    ValueTask ConnectAsync(Socket socket, IPEndPoint endpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Copies bytes both ways until both sides have finished sending (each end passed on as a half-close), or either
    /// side resets, or the proxy stops. True when it ended by a reset or a stop: the caller then resets both sockets
    /// as it closes them. The caller closes both sockets, and only after this has completed.
    /// </summary>
    Task<bool> RelayAsync(Socket client, Socket backend);
}
