using System.Net.Sockets;

namespace Orchestra.Runtime.Proxy;

/// <summary>Thrown by <see cref="TcpProxy.Start"/> when the public port cannot be bound (held by another process, or not permitted).</summary>
public sealed class PortUnavailableException : Exception
{
    /// <summary>Describes why <paramref name="port"/> on 127.0.0.1 could not be bound, from the socket error in <paramref name="inner"/>.</summary>
    public PortUnavailableException(int port, SocketException inner)
        : base(Describe(port, inner.SocketErrorCode), inner)
    {
        Port = port;
    }

    /// <summary>The port that could not be bound.</summary>
    public int Port { get; }

    private static string Describe(int port, SocketError error) => error switch
    {
        SocketError.AddressAlreadyInUse => $"Port {port} on 127.0.0.1 is already in use.",
        SocketError.AccessDenied => $"Port {port} on 127.0.0.1 cannot be used: permission denied.",
        _ => $"Port {port} on 127.0.0.1 cannot be used: {error}.",
    };
}
