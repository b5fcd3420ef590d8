// Measures TcpProxy against connecting straight to the backend, in one process and one run:
//   (a) short exchanges: connect, send 100 bytes, receive 100 bytes, close, over parallel clients (requests/s);
//   (b) bulk: one connection sending a large payload to a backend that counts it (MB/s);
//   (c) the same 100-byte exchanges as (a) on connections kept open, as HTTP clients do (round trips/s).
// Rounds alternate direct and proxied runs so that other load on the machine falls on both; medians are printed,
// with the ratio proxy/direct. Usage: ProxyBench [exchanges=20000] [clients=4] [bulkMiB=1024] [rounds=3]
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestra.Runtime.Proxy;

var exchanges = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
var bulkBytes = (args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 1024) * 1024 * 1024;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
const int MessageSize = 100;

using var stop = new CancellationTokenSource();
using var exchangeListener = Listen();
using var sinkListener = Listen();
using var echoListener = Listen();
var exchangeServer = ServeAsync(exchangeListener, AnswerOnceAsync, stop.Token);
var echoServer = ServeAsync(echoListener, EchoAsync, stop.Token);
var echoPort = ((IPEndPoint)echoListener.LocalEndPoint!).Port;
var sinkServer = ServeAsync(sinkListener, CountAsync, stop.Token);
var exchangePort = ((IPEndPoint)exchangeListener.LocalEndPoint!).Port;
var sinkPort = ((IPEndPoint)sinkListener.LocalEndPoint!).Port;

await using (var exchangeProxy = new TcpProxy(0))
await using (var sinkProxy = new TcpProxy(0))
await using (var echoProxy = new TcpProxy(0))
{
    echoProxy.Start();
    echoProxy.SetBackends([echoPort]);
    exchangeProxy.Start();
    exchangeProxy.SetBackends([exchangePort]);
    sinkProxy.Start();
    sinkProxy.SetBackends([sinkPort]);

    Console.WriteLine($"== warm-up (JIT, tiering; not counted)");
    for (var i = 0; i < 3; i++)
    {
        await ExchangesAsync(exchangePort, 2_000);
        await ExchangesAsync(exchangeProxy.Port, 2_000);
        await BulkAsync(sinkPort, 64L * 1024 * 1024);
        await BulkAsync(sinkProxy.Port, 64L * 1024 * 1024);
        await RoundTripsAsync(echoPort, 2_000);
        await RoundTripsAsync(echoProxy.Port, 2_000);
    }

    Console.WriteLine($"== {rounds} rounds: {exchanges} exchanges of {MessageSize} bytes over {clients} clients; {bulkBytes / (1024 * 1024)} MiB over one connection");
    List<double> directRps = [], proxyRps = [], directMBps = [], proxyMBps = [], directAlloc = [], proxyAlloc = [], directTrips = [], proxyTrips = [];
    for (var round = 1; round <= rounds; round++)
    {
        var (dr, da) = await ExchangesAsync(exchangePort, exchanges);
        var (pr, pa) = await ExchangesAsync(exchangeProxy.Port, exchanges);
        var db = await BulkAsync(sinkPort, bulkBytes);
        var pb = await BulkAsync(sinkProxy.Port, bulkBytes);
        var dt = await RoundTripsAsync(echoPort, exchanges);
        var pt = await RoundTripsAsync(echoProxy.Port, exchanges);
        directRps.Add(dr); proxyRps.Add(pr); directAlloc.Add(da); proxyAlloc.Add(pa); directMBps.Add(db); proxyMBps.Add(pb);
        directTrips.Add(dt); proxyTrips.Add(pt);
        Console.WriteLine(FormattableString.Invariant(
            $"   round {round}: exchanges/s direct {dr:F0}, proxy {pr:F0}; bulk MB/s direct {db:F0}, proxy {pb:F0}; kept-alive round trips/s direct {dt:F0}, proxy {pt:F0}"));
    }

    double rps = Median(directRps), prps = Median(proxyRps), mbps = Median(directMBps), pmbps = Median(proxyMBps);
    double trips = Median(directTrips), ptrips = Median(proxyTrips);
    Console.WriteLine(FormattableString.Invariant($"""
                                         direct      proxy     proxy/direct
        exchanges/s (median)        {rps,9:F0}  {prps,9:F0}     {prps / rps:F2}
        bulk MB/s (median)          {mbps,9:F0}  {pmbps,9:F0}     {pmbps / mbps:F2}
        kept-alive round trips/s    {trips,9:F0}  {ptrips,9:F0}     {ptrips / trips:F2}
        allocated bytes/exchange    {Median(directAlloc),9:F0}  {Median(proxyAlloc),9:F0}     (whole process: clients, backend and proxy)
        """));
}
await stop.CancelAsync();
exchangeListener.Dispose();
sinkListener.Dispose();
echoListener.Dispose();
await exchangeServer;
await echoServer;
await sinkServer;

// `count` exchanges split over the clients; returns exchanges per second and bytes allocated per exchange.
async Task<(double PerSecond, double AllocatedEach)> ExchangesAsync(int port, int count)
{
    var allocatedBefore = GC.GetTotalAllocatedBytes();
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => ClientAsync(port, count / clients + (c < count % clients ? 1 : 0))));
    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    return (count / seconds, (GC.GetTotalAllocatedBytes() - allocatedBefore) / (double)count);
}

async Task ClientAsync(int port, int count)
{
    var request = new byte[MessageSize];
    var response = new byte[MessageSize];
    for (var i = 0; i < count; i++)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(request);
        await ReceiveExactlyAsync(socket, response);
    }
}

// `count` round trips of 100 bytes split over the clients, each on one connection it keeps; returns round trips per second.
async Task<double> RoundTripsAsync(int port, int count)
{
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => KeptAliveClientAsync(port, count / clients + (c < count % clients ? 1 : 0))));
    return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
}

async Task KeptAliveClientAsync(int port, int count)
{
    var request = new byte[MessageSize];
    var response = new byte[MessageSize];
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(IPAddress.Loopback, port);
    for (var i = 0; i < count; i++)
    {
        await socket.SendAsync(request);
        await ReceiveExactlyAsync(socket, response);
    }
}

// Sends `total` bytes over one connection and waits for the backend's count of them; returns MB/s (10^6 bytes).
async Task<double> BulkAsync(int port, long total)
{
    var chunk = new byte[64 * 1024];
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(IPAddress.Loopback, port);
    var started = Stopwatch.GetTimestamp();
    for (var sent = 0L; sent < total; sent += chunk.Length)
        await socket.SendAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, total - sent)));
    socket.Shutdown(SocketShutdown.Send);
    var count = new byte[8];
    await ReceiveExactlyAsync(socket, count);
    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var received = BinaryPrimitives.ReadInt64LittleEndian(count);
    if (received != total)
        throw new InvalidOperationException($"The backend received {received} bytes of {total}.");
    return total / seconds / 1e6;
}

// Exchange backend: reads the request, answers it, and closes once the client has.
static async Task AnswerOnceAsync(Socket socket)
{
    var buffer = new byte[MessageSize];
    await ReceiveExactlyAsync(socket, buffer);
    await socket.SendAsync(buffer);
    while (await socket.ReceiveAsync(buffer) > 0)
    {
    }
}

// Kept-alive backend: answers every 100-byte request until the client has finished.
static async Task EchoAsync(Socket socket)
{
    var buffer = new byte[MessageSize];
    while (true)
    {
        try
        {
            await ReceiveExactlyAsync(socket, buffer);
        }
        catch (InvalidOperationException)
        {
            return;
        }
        await socket.SendAsync(buffer);
    }
}

// Bulk backend: counts what arrives until the client has finished, then answers with the count.
static async Task CountAsync(Socket socket)
{
    var buffer = new byte[64 * 1024];
    long total = 0;
    int read;
    while ((read = await socket.ReceiveAsync(buffer)) > 0)
        total += read;
    var count = new byte[8];
    BinaryPrimitives.WriteInt64LittleEndian(count, total);
    await socket.SendAsync(count);
}

static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer)
{
    while (!buffer.IsEmpty)
    {
        var read = await socket.ReceiveAsync(buffer);
        if (read == 0)
            throw new InvalidOperationException("The connection ended early.");
        buffer = buffer[read..];
    }
}

static Socket Listen()
{
    var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    listener.Listen();
    return listener;
}

// Accepts until stopped; every connection's task is kept and awaited before returning.
static async Task ServeAsync(Socket listener, Func<Socket, Task> serve, CancellationToken stopping)
{
    var connections = new List<Task>();
    try
    {
        while (true)
        {
            var socket = await listener.AcceptAsync(stopping);
            socket.NoDelay = true;
            connections.Add(ServeOneAsync(socket, serve));
            connections.RemoveAll(t => t.IsCompleted);
        }
    }
    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
    {
    }
    await Task.WhenAll(connections);
}

static async Task ServeOneAsync(Socket socket, Func<Socket, Task> serve)
{
    using (socket)
        await serve(socket);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
