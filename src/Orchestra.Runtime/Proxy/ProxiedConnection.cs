using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// One accepted client connection: finds it a backend, then copies bytes both ways until both sides have finished
/// sending, or either side resets.
/// </summary>
internal sealed class ProxiedConnection
{
    /// <summary>Per direction: large enough for a bulk transfer to move in few system calls.</summary>
    private const int BufferSize = 64 * 1024;

    private readonly Socket _client;
    private readonly OpenConnections _open;
    private readonly BackendLoad _load;
    private readonly CancellationSources _sources;

    private ProxiedConnection(Socket client, OpenConnections open, BackendLoad load, CancellationSources sources)
    {
        _client = client;
        _open = open;
        _load = load;
        _sources = sources;
    }

    /// <summary>Until it ends; awaited when the proxy is disposed.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Serves <paramref name="client"/> in the background, tracked by <paramref name="open"/> until it ends.</summary>
    public static void Start(Socket client, BackendConnector connector, OpenConnections open, BackendLoad load, CancellationSources sources, CancellationToken stopping)
    {
        var connection = new ProxiedConnection(client, open, load, sources);
        open.Add(connection);
        connection.Completion = connection.ServeAsync(connector, stopping);
    }

    private async Task ServeAsync(BackendConnector connector, CancellationToken stopping)
    {
        Socket? backend = null;
        int? backendPort = null;
        // Cancelled when either side resets or the proxy stops; it ends whatever receive or send is pending. The sockets
        // are closed here only, once both directions have returned, so that a close never races an operation in
        // flight on another thread (.NET on Unix spins in Dispose until such an operation has let go of the socket).
        var abort = _sources.Rent();
        try
        {
            if (await connector.ConnectAsync() is not var (socket, port))
                return;
            (backend, backendPort) = (socket, port);
            var upstream = PumpAsync(_client, backend, abort);
            await PumpAsync(backend, _client, abort);
            await upstream;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // A side that reset is passed on as a reset, never as an orderly end the other side could take for a
            // complete answer.
            if (abort.IsCancellationRequested)
            {
                ResetOnClose(_client);
                if (backend is not null)
                    ResetOnClose(backend);
            }
            backend?.Dispose();
            _client.Dispose();
            if (backendPort is { } port)
                _load.Leave(port);
            _sources.Return(abort);
        }
        // Only here: a connection that failed in a way nobody expected stays tracked, so disposing the proxy rethrows it.
        _open.Remove(this);
    }

    /// <summary>
    /// Copies what <paramref name="from"/> sends to <paramref name="to"/>. When <paramref name="from"/> has finished
    /// sending, so does <paramref name="to"/> (a half-close) while the other direction goes on.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask PumpAsync(Socket from, Socket to, CancellationTokenSource abort)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, abort.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                var pending = buffer.AsMemory(0, read);
                while (!pending.IsEmpty)
                    pending = pending[await to.SendAsync(pending, SocketFlags.None, abort.Token)..];
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Also ends the other direction's pending receive or send.
            abort.Cancel();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ResetOnClose(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the peer: there is nothing left to reset.
        }
    }
}
