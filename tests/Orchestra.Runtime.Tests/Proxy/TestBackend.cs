using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestra.Runtime.Tests.Proxy;

/// <summary>A real server on a loopback port of its own that serves each connection with a handler, as a replica would.</summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<Socket, Task> _serve;
    private readonly Lock _lock = new();
    private readonly List<(Socket Socket, Task Serving)> _connections = [];
    private readonly Task _accepting;
    private int _accepted;

    private TestBackend(Func<Socket, Task> serve)
    {
        _serve = serve;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Sends <paramref name="name"/> first, then echoes everything until the client has finished sending.</summary>
    public static TestBackend Echo(string name = "") => new(async socket =>
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(name));
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
            await socket.SendAsync(buffer.AsMemory(0, read));
        socket.Shutdown(SocketShutdown.Send);
    });

    public static TestBackend Serving(Func<Socket, Task> serve) => new(serve);

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync();
            }
            // Stopped by DisposeAsync: while an accept waits (SocketException, ObjectDisposedException) or between two
            // accepts (InvalidOperationException, "Not listening").
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            lock (_lock)
                _connections.Add((socket, ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await _serve(socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting;
        (Socket Socket, Task Serving)[] connections;
        lock (_lock)
            connections = [.. _connections];
        foreach (var (socket, _) in connections)
            socket.Dispose();
        await Task.WhenAll(connections.Select(c => c.Serving));
    }
}
