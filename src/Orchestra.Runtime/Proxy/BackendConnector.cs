using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// Finds a backend for one client connection: the next one in turn, else the ones after it, else it waits for the
/// set to change until <see cref="TcpProxyOptions.WaitForBackend"/> has passed.
/// </summary>
internal sealed class BackendConnector(BackendSet backends, BackendLoad load, IConnectionRelay relay, TcpProxyOptions options, CancellationSources sources, CancellationToken stopping)
{
    /// <summary>
    /// When every listed backend refused, they are tried again this often as well as on a change: a replica can
    /// listen again before the supervisor has noticed that it stopped.
    /// </summary>
    private static readonly TimeSpan RetryListed = TimeSpan.FromMilliseconds(250);

    private int _waiting;

    /// <summary>Client connections waiting for a backend now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// A socket connected to a backend, counted in <see cref="BackendLoad"/> under its port until the caller leaves
    /// it; or null when none could be reached in time.
    /// </summary>
    // Pooled builders here and below: every connection goes through these methods, and each of them completes
    // asynchronously (a connect always does), which would otherwise allocate a box per call.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(Socket Socket, int Port)?> ConnectAsync()
    {
        var generation = backends.Current;
        if (await TryEachAsync(generation.Endpoints) is { } socket)
            return socket;
        Interlocked.Increment(ref _waiting);
        try
        {
            var waitingSince = Stopwatch.GetTimestamp();
            while (true)
            {
                var left = options.WaitForBackend - Stopwatch.GetElapsedTime(waitingSince);
                if (left <= TimeSpan.Zero)
                    return null;
                var wait = generation.Endpoints.Length == 0 || left < RetryListed ? left : RetryListed;
                // A timeout is the normal way out of this wait, not an error worth an exception.
                await generation.Replaced.WaitAsync(wait, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                stopping.ThrowIfCancellationRequested();
                generation = backends.Current;
                if (await TryEachAsync(generation.Endpoints) is { } connected)
                    return connected;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(Socket Socket, int Port)?> TryEachAsync(IPEndPoint[] endpoints)
    {
        if (endpoints.Length == 0)
            return null;
        var first = backends.NextTurn(endpoints.Length);
        for (var i = 0; i < endpoints.Length; i++)
        {
            var endpoint = endpoints[(first + i) % endpoints.Length];
            if (await TryConnectAsync(endpoint) is not { } socket)
                continue;
            // Counted first, then checked against the routes: a replica being drained either sees this connection in
            // its count, or this connection sees that the replica left the routes and goes elsewhere before any byte
            // was sent. Without the check, a connection begun just before the change reached a replica being stopped.
            load.Enter(endpoint.Port);
            if (backends.Current.Ports.Contains(endpoint.Port))
                return (socket, endpoint.Port);
            load.Leave(endpoint.Port);
            socket.Dispose();
        }
        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Socket?> TryConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var timeout = sources.Rent();
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await relay.ConnectAsync(socket, endpoint, timeout.Token);
            return socket;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            socket.Dispose();
            return null;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            sources.Return(timeout);
        }
    }
}
