using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Orchestra.Runtime.Processes;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// One proxy's use of the process's <see cref="RelayLoop"/> (Linux): backends are connected and pairs relayed by
/// that thread, so no socket of the proxy's is ever registered with .NET's own socket engine (an engine-registered
/// socket would wake that engine's thread too on every message). Stopping the proxy aborts its pairs.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class EpollRelay : IConnectionRelay
{
    private readonly RelayLoop _loop;
    private readonly CancellationToken _stopping;

    public EpollRelay(RelayLoop loop, CancellationToken stopping)
    {
        _loop = loop;
        _stopping = stopping;
        // Disposed with the proxy's stopping source.
        stopping.UnsafeRegister(static state => { var relay = (EpollRelay)state!; relay._loop.AbortAll(relay); }, this);
    }

    /// <summary>The shared loop's relay for a proxy stopped by <paramref name="stopping"/>; null where the loop cannot run.</summary>
    public static EpollRelay? For(CancellationToken stopping) =>
        RelayLoop.Shared is { } loop ? new EpollRelay(loop, stopping) : null;

    public async ValueTask ConnectAsync(Socket socket, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        socket.Blocking = false;
        var fd = (int)socket.Handle;
        var errno = Connect(fd, endpoint);
        if (errno == LibC.EInProgress)
        {
            // The handshake completes when the socket becomes writable; the loop says so once, then it is taken out.
            var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var key = _loop.NextKey();
            if (!_loop.Add(fd, key, LibC.EpollOut | LibC.EpollOneShot, connected))
            {
                _loop.Remove(fd, key);
                throw new SocketException((int)SocketError.SocketError);
            }
            try
            {
                await connected.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                _loop.Remove(fd, key);
            }
            var length = sizeof(int);
            errno = LibC.getsockopt(fd, LibC.SolSocket, LibC.SoError, out var error, ref length) == 0 ? error : Marshal.GetLastPInvokeError();
        }
        if (errno != 0)
            throw new SocketException((int)(errno == LibC.EConnRefused ? SocketError.ConnectionRefused : SocketError.SocketError));
    }

    public Task<bool> RelayAsync(Socket client, Socket backend)
    {
        client.Blocking = false;
        var pair = new RelayedPair(_loop, this, (int)client.Handle, (int)backend.Handle);
        if (!pair.Register())
            return Task.FromResult(true);
        // A stop that came before the pair was registered aborted none of it: abort it now.
        if (_stopping.IsCancellationRequested)
            _loop.AbortAll(this);
        return pair.Ended;
    }

    /// <summary>connect(2) of a non-blocking socket to an IPv4 end point: 0, or the errno (EINPROGRESS while it completes).</summary>
    private static unsafe int Connect(int fd, IPEndPoint endpoint)
    {
        // struct sockaddr_in: family (host order), port (network order), address (network order), 8 bytes of zero.
        var address = stackalloc byte[16];
        new Span<byte>(address, 16).Clear();
        *(ushort*)address = (ushort)AddressFamily.InterNetwork;
        address[2] = (byte)(endpoint.Port >> 8);
        address[3] = (byte)endpoint.Port;
        endpoint.Address.TryWriteBytes(new Span<byte>(address + 4, 4), out _);
        return LibC.connect(fd, (IntPtr)address, 16) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
