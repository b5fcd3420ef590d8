using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>
/// Keeps a fixed number of clients sending HTTP GETs to a port, each on a new connection (<c>Connection: close</c>),
/// until stopped; counts the answers and the failures (a refused or reset connection, an empty reply, a status other
/// than 200). Bounded: never more than <c>clients</c> connections at once. Each client pauses briefly between its
/// requests: the clients stay concurrent, so a replica that leaves always has requests in flight, without the load
/// taking every core from the rest of the suite.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;
    private readonly Lock _lock = new();
    private readonly List<string> _failures = [];
    private long _answered;

    /// <summary>A client's pause between two requests.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    public LoadGenerator(int port, int clients, string path = "/health")
    {
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        _clients = Enumerable.Range(0, clients).Select(_ => Task.Run(() => ClientAsync(port, request, _stop.Token))).ToArray();
    }

    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>The failures so far, each as "what happened".</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_lock)
                return [.. _failures];
        }
    }

    /// <summary>Stops the clients (a request under way is finished first) and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
        _stop.Dispose();
    }

    private async Task ClientAsync(int port, byte[] request, CancellationToken stop)
    {
        var buffer = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            var received = new MemoryStream();
            string? failure = null;
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                // A request begun is finished whatever happens to `stop`, so the last ones count too.
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token);
                await socket.SendAsync(request, SocketFlags.None, deadline.Token);
                int read;
                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
                    received.Write(buffer, 0, read);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                failure = $"{e.GetType().Name}: {e.Message} after {received.Length} bytes";
            }
            var text = Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length);
            failure ??= text.Length == 0 ? "an empty reply"
                : !text.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) ? $"'{text.Split('\r')[0]}'"
                : null;
            if (failure is null)
                Interlocked.Increment(ref _answered);
            else
            {
                lock (_lock)
                    _failures.Add(failure);
            }
            try
            {
                await Task.Delay(Pause, stop);
            }
            catch (OperationCanceledException)
            {
                // Stopped: the loop ends.
            }
        }
    }
}
