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
    private Socket? _backend;

    private ProxiedConnection(Socket client, OpenConnections open)
    {
        _client = client;
        _open = open;
    }

    /// <summary>Until it ends; awaited when the proxy is disposed.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Serves <paramref name="client"/> in the background, tracked by <paramref name="open"/> until it ends.</summary>
    public static void Start(Socket client, BackendConnector connector, OpenConnections open, CancellationToken stopping)
    {
        var connection = new ProxiedConnection(client, open);
        open.Add(connection);
        connection.Completion = connection.ServeAsync(connector, stopping);
    }

    private async Task ServeAsync(BackendConnector connector, CancellationToken stopping)
    {
        try
        {
            _backend = await connector.ConnectAsync();
            if (_backend is null)
                return;
            // One registration for the connection's whole life rather than a token on every receive and send.
            using var abortOnStop = stopping.UnsafeRegister(static state => ((ProxiedConnection)state!).Abort(), this);
            var upstream = PumpAsync(_client, _backend);
            await PumpAsync(_backend, _client);
            await upstream;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            _backend?.Dispose();
            _client.Dispose();
        }
        // Only here: a connection that failed in a way nobody expected stays tracked, so disposing the proxy rethrows it.
        _open.Remove(this);
    }

    /// <summary>
    /// Copies what <paramref name="from"/> sends to <paramref name="to"/>. When <paramref name="from"/> has finished
    /// sending, so does <paramref name="to"/> (a half-close) while the other direction goes on.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PumpAsync(Socket from, Socket to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                var pending = buffer.AsMemory(0, read);
                while (!pending.IsEmpty)
                    pending = pending[await to.SendAsync(pending, SocketFlags.None)..];
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Closes both sockets with a reset, which also ends whatever receive or send is pending on them: a side that
    /// reset is passed on as a reset, never as an orderly end the other side could take for a complete answer.
    /// </summary>
    private void Abort()
    {
        _client.Close(0);
        _backend?.Close(0);
    }
}
