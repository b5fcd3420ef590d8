using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// The portable relay: one async pump per direction on pooled buffers. Each message costs a wake of .NET's socket
/// engine thread and then a thread-pool thread per hop, which is why Linux uses <see cref="EpollRelay"/> instead.
/// </summary>
internal sealed class SocketPumpRelay(CancellationSources sources) : IConnectionRelay
{
    /// <summary>Per direction: large enough for a bulk transfer to move in few system calls.</summary>
    private const int BufferSize = 64 * 1024;

    public async ValueTask ConnectAsync(Socket socket, IPEndPoint endpoint, CancellationToken cancellationToken) =>
        await socket.ConnectAsync(endpoint, cancellationToken);

    public async Task<bool> RelayAsync(Socket client, Socket backend)
    {
        // Cancelled when either side resets or the proxy stops; it ends whatever receive or send is pending.
        var abort = sources.Rent();
        try
        {
            var upstream = PumpAsync(client, backend, abort);
            await PumpAsync(backend, client, abort);
            await upstream;
            return abort.IsCancellationRequested;
        }
        finally
        {
            sources.Return(abort);
        }
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
}
