using System.Net.Sockets;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// One accepted client connection: finds it a backend, then has the relay copy bytes both ways until both sides have
/// finished sending, or either side resets.
/// </summary>
internal sealed class ProxiedConnection
{
    private readonly Socket _client;
    private readonly OpenConnections _open;
    private readonly BackendLoad _load;

    private ProxiedConnection(Socket client, OpenConnections open, BackendLoad load)
    {
        _client = client;
        _open = open;
        _load = load;
    }

    /// <summary>Until it ends; awaited when the proxy is disposed.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Serves <paramref name="client"/> in the background, tracked by <paramref name="open"/> until it ends.</summary>
    public static void Start(Socket client, BackendConnector connector, IConnectionRelay relay, OpenConnections open, BackendLoad load, CancellationToken stopping)
    {
        var connection = new ProxiedConnection(client, open, load);
        open.Add(connection);
        connection.Completion = connection.ServeAsync(connector, relay, stopping);
    }

    private async Task ServeAsync(BackendConnector connector, IConnectionRelay relay, CancellationToken stopping)
    {
        Socket? backend = null;
        int? backendPort = null;
        var reset = false;
        try
        {
            if (await connector.ConnectAsync() is not var (socket, port))
                return;
            (backend, backendPort) = (socket, port);
            // The sockets are closed here only, once the relay has let go of them, so that a close never races an
            // operation in flight on another thread.
            reset = await relay.RelayAsync(_client, backend);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // A side that reset is passed on as a reset, never as an orderly end the other side could take for a
            // complete answer.
            if (reset)
            {
                ResetOnClose(_client);
                if (backend is not null)
                    ResetOnClose(backend);
            }
            backend?.Dispose();
            _client.Dispose();
            if (backendPort is { } port)
                _load.Leave(port);
        }
        // Only here: a connection that failed in a way nobody expected stays tracked, so disposing the proxy rethrows it.
        _open.Remove(this);
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
