using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestra.Runtime;

namespace Orchestra.Supervisor.Control;

/// <summary>
/// Serves the control API on a Unix domain socket that only the owner can open. Each connection carries one
/// request; connections are served concurrently and every one is awaited before <see cref="RunAsync"/> returns.
/// </summary>
public sealed class ControlServer(string socketPath, IControlHandler handler, ILogger log)
{
    /// <summary>
    /// Accepts connections until <paramref name="cancellationToken"/> is cancelled, then waits for those under way.
    /// A request under way is not cancelled with it: a shutdown request must still get its answer.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // A socket file left by a crashed supervisor blocks bind; the caller holds the supervisor lock, so it is ours to remove.
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(64);

        var connections = new List<Task>();
        try
        {
            // A failed accept ends nothing (ListenerAccept): a server that stopped here would leave the supervisor holding
            // the workspace's lock with no way left for a command to reach it.
            while (await ListenerAccept.NextAsync(listener, e => log.AcceptFailing(e.Message), log.AcceptingAgain, cancellationToken) is { } socket)
            {
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(ServeAsync(socket, CancellationToken.None));
            }
        }
        finally
        {
            // Shutting down (or failing): the connections under way are answered first.
            await Task.WhenAll(connections);
            try
            {
                File.Delete(socketPath);
            }
            catch (DirectoryNotFoundException)
            {
                // The state folder was deleted with the socket in it.
            }
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        await using var connection = new ControlConnection(socket);
        try
        {
            var request = await connection.ReceiveAsync(ControlJson.Default.ControlRequest, cancellationToken);
            if (request is null)
                return;
            // A client that hangs up (Ctrl-C on `start`) cancels its request: the supervisor stops waiting for it.
            using var hungUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var served = new CancellationTokenSource();
            var watching = WatchForHangUpAsync(connection, hungUp, served.Token);
            try
            {
                ControlEvent result;
                try
                {
                    result = await handler.HandleAsync(request, e => connection.SendAsync(e, ControlJson.Default.ControlEvent, hungUp.Token), hungUp.Token);
                }
                catch (Exception e) when (e is not (IOException or SocketException) && !(e is OperationCanceledException && hungUp.IsCancellationRequested))
                {
                    // A fault in serving one request costs that request, told to its client and written to the
                    // supervisor's log (its standard error), rather than a connection closed without a word.
                    Console.Error.WriteLine($"{DateTimeOffset.UtcNow:O} the {request.Op.ToString().ToLowerInvariant()} request failed: {e}");
                    result = new ControlEvent { Failure = new($"The supervisor failed to serve the {request.Op.ToString().ToLowerInvariant()} request: {e.Message}") };
                }
                await connection.SendAsync(result with { Done = true }, ControlJson.Default.ControlEvent, cancellationToken);
            }
            finally
            {
                await served.CancelAsync();
                await watching;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or JsonException or OperationCanceledException)
        {
            // A client that went away, or spoke nonsense, costs only its own connection.
        }
    }

    /// <summary>Cancels <paramref name="hungUp"/> when the client closes its end before the request is served.</summary>
    private static async Task WatchForHangUpAsync(ControlConnection connection, CancellationTokenSource hungUp, CancellationToken served)
    {
        try
        {
            await connection.WaitForCloseAsync(served);
            await hungUp.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Served first, or the connection broke: either way there is nothing to cancel from here.
        }
    }
}
