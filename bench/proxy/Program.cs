// Measures TcpProxy against connecting straight to the backend, in one run. The proxies run in a child process of
// their own, as they do in the supervisor, so that the load process (clients and backends) and the proxy each have
// their own thread pool and their CPU is counted apart. Two proxies per backend run there: the epoll relay (Linux's
// default) and the portable relay (async pumps, what every proxy used before), so one run compares all three.
//   (a) kept-alive round trips: 100-byte exchanges on one connection per client, kept open as HTTP clients do;
//   (b) bulk: one connection sending a large payload to a backend that counts it (MB/s);
//   (c) short exchanges: connect, send 100 bytes, receive 100 bytes, close, over parallel clients (requests/s);
//   (d) latency: one client's kept-alive round trips one at a time, each timed: p50 and p99, and what the proxy adds.
// CONTENDERS (e.g. "haproxy nginx socat") adds best-in-class user-space relays as plain forwarders to the same
// backends (contender.sh starts each), measured in the same rounds; their CPU is their cpuacct cgroup's.
// Rounds rotate the targets so that other load on the machine falls on all of them; medians are printed.
// TRACE=1 runs each relay's kept-alive and bulk phases once more under `strace -c` (its relaying threads only) and
// prints the system calls it made per round trip and per MB: counts, not speeds, since tracing slows a relay tenfold.
// Usage: ProxyBench [exchanges=20000] [clients=4] [bulkMiB=512] [rounds=3]
//        ProxyBench serve <echo port> <sink port> <exchange port>   (the child: prints its proxies' ports)
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestra.Runtime.Proxy;

const int MessageSize = 100;

if (args is ["serve", .. var backendPorts])
{
    await ServeProxiesAsync(backendPorts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray());
    return;
}

var exchanges = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
var bulkBytes = (args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 512) * 1024 * 1024;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;

using var stop = new CancellationTokenSource();
using var exchangeListener = Listen();
using var sinkListener = Listen();
using var echoListener = Listen();
var exchangeServer = ServeAsync(exchangeListener, AnswerOnceAsync, stop.Token);
var echoServer = ServeAsync(echoListener, EchoAsync, stop.Token);
var sinkServer = ServeAsync(sinkListener, CountAsync, stop.Token);
Target direct = new("direct", PortOf(echoListener), PortOf(sinkListener), PortOf(exchangeListener), () => 0, () => []);

// PROXY_CPUS (a taskset list) pins the proxy process, e.g. to the core the load process is kept off.
var proxyCpus = Environment.GetEnvironmentVariable("PROXY_CPUS");
var child = new ProcessStartInfo(proxyCpus is null ? Environment.ProcessPath! : "taskset") { RedirectStandardInput = true, RedirectStandardOutput = true };
string[] pinning = proxyCpus is null ? [] : ["-c", proxyCpus, Environment.ProcessPath!];
foreach (var arg in pinning.Concat([typeof(Target).Assembly.Location, "serve", $"{direct.Echo}", $"{direct.Sink}", $"{direct.Exchange}"]))
    child.ArgumentList.Add(arg);
var proxyProcess = Process.Start(child)!;
var ports = (await proxyProcess.StandardOutput.ReadLineAsync())!.Split(' ').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
// The epoll relay's work is its one thread's; the portable relay's is spread over the child's thread pool.
List<Target> targets =
[
    direct,
    new("epoll relay", ports[0], ports[1], ports[2], ProxyCpu, () => ThreadsOf(proxyProcess.Id).Where(t => File.ReadAllText($"/proc/{proxyProcess.Id}/task/{t}/comm").StartsWith("Orchestra proxy", StringComparison.Ordinal)).ToArray()),
    new("portable relay", ports[3], ports[4], ports[5], ProxyCpu, () => ThreadsOf(proxyProcess.Id)),
];
var trace = Environment.GetEnvironmentVariable("TRACE") == "1";
var contenders = new List<Process>();
foreach (var name in (Environment.GetEnvironmentVariable("CONTENDERS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
    targets.Add(await StartContenderAsync(name));

Console.WriteLine("== warm-up (JIT, tiering; not counted)");
for (var i = 0; i < 3; i++)
{
    foreach (var target in targets)
    {
        await ExchangesAsync(target.Exchange, 2_000);
        await BulkAsync(target.Sink, Math.Min(bulkBytes, 64L * 1024 * 1024));
        await RoundTripsAsync(target.Echo, 2_000);
        await LatenciesAsync(target.Echo, 2_000);
    }
}

Console.WriteLine($"== {rounds} rounds: {exchanges} round trips and exchanges of {MessageSize} bytes over {clients} clients; {bulkBytes / (1024 * 1024)} MiB over one connection; {exchanges} timed round trips on one connection");
var results = targets.ToDictionary(t => t, _ => new Results());
for (var round = 1; round <= rounds; round++)
{
    // Each round starts with another target, so that neither the first nor the last place is always the same one's.
    foreach (var target in targets.Skip((round - 1) % targets.Count).Concat(targets.Take((round - 1) % targets.Count)))
    {
        var r = results[target];
        var (trips, loadCpu, proxyCpu) = await Measured(target, () => RoundTripsAsync(target.Echo, exchanges));
        if (trace && round == 1 && target != direct)
        {
            r.SyscallsPerTrip = await TracedAsync(target, () => RoundTripsAsync(target.Echo, exchanges), exchanges);
            r.SyscallsPerMB = await TracedAsync(target, () => BulkAsync(target.Sink, bulkBytes), bulkBytes / 1e6);
        }
        r.Trips.Add(trips);
        r.LoadCpuPerTrip.Add(loadCpu / exchanges);
        r.ProxyCpuPerTrip.Add(proxyCpu / exchanges);
        var (bulk, bulkLoadCpu, bulkProxyCpu) = await Measured(target, () => BulkAsync(target.Sink, bulkBytes));
        r.Bulk.Add(bulk);
        r.LoadCpuPerMB.Add(bulkLoadCpu / (bulkBytes / 1e6));
        r.ProxyCpuPerMB.Add(bulkProxyCpu / (bulkBytes / 1e6));
        r.Exchanges.Add(await ExchangesAsync(target.Exchange, exchanges));
        r.Latencies.AddRange(await LatenciesAsync(target.Echo, exchanges));
        Console.WriteLine(FormattableString.Invariant(
            $"   round {round}, {target.Name,-14}: kept-alive round trips/s {trips,7:F0}; bulk MB/s {r.Bulk[^1],6:F0}; exchanges/s {r.Exchanges[^1],6:F0}"));
    }
}

var d = results[direct];
Console.WriteLine();
Console.WriteLine($"{"",-34}{"direct",10}{string.Concat(targets.Skip(1).Select(t => $"{t.Name,22}"))}");
Row("kept-alive round trips/s", r => Median(r.Trips), "F0", ratio: true);
Row("bulk MB/s", r => Median(r.Bulk), "F0", ratio: true);
Row("exchanges/s (a connection each)", r => Median(r.Exchanges), "F0", ratio: true);
Row("round trip p50, µs (1 client)", r => Percentile(r.Latencies, 0.50), "F1", ratio: false);
Row("round trip p99, µs (1 client)", r => Percentile(r.Latencies, 0.99), "F1", ratio: false);
Row("CPU µs/round trip, load process", r => Median(r.LoadCpuPerTrip), "F1", ratio: false);
Row("CPU µs/round trip, proxy process", r => Median(r.ProxyCpuPerTrip), "F1", ratio: false);
Row("CPU µs/MB of bulk, load process", r => Median(r.LoadCpuPerMB), "F1", ratio: false);
Row("CPU µs/MB of bulk, proxy process", r => Median(r.ProxyCpuPerMB), "F1", ratio: false);
// What the ratio would be if CPU were all that limited it, as on a machine with nothing else running: the direct
// path's CPU over the proxied path's (load process and proxy together). Other load moves it far less than wall-clock.
CpuRatio("kept-alive CPU ratio", r => r.LoadCpuPerTrip, r => r.ProxyCpuPerTrip);
CpuRatio("bulk CPU ratio", r => r.LoadCpuPerMB, r => r.ProxyCpuPerMB);
Console.WriteLine("(ratios are proxy/direct; latencies show +what the proxy adds; CPU from each process's utime+stime over the kept-alive and bulk phases)");
if (trace)
{
    Console.WriteLine();
    Console.WriteLine("system calls of the relaying threads (strace -c over one kept-alive phase and one bulk phase):");
    foreach (var (what, calls) in new[] { ("per round trip", (Func<Results, Dictionary<string, double>>)(r => r.SyscallsPerTrip)), ("per MB of bulk", r => r.SyscallsPerMB) })
    {
        Console.WriteLine($"  {what}:");
        foreach (var target in targets.Skip(1))
        {
            var made = calls(results[target]);
            Console.WriteLine(FormattableString.Invariant($"    {target.Name,-14} {made.Values.Sum(),7:F2}: {string.Join(", ", made.OrderByDescending(c => c.Value).Where(c => c.Value >= 0.01).Select(c => $"{c.Key} {c.Value:F2}"))}"));
        }
    }
}

foreach (var process in contenders.Prepend(proxyProcess))
{
    process.StandardInput.Close();
    await process.WaitForExitAsync();
    process.Dispose();
}
await stop.CancelAsync();
exchangeListener.Dispose();
sinkListener.Dispose();
echoListener.Dispose();
await exchangeServer;
await echoServer;
await sinkServer;

void Row(string name, Func<Results, double> value, string format, bool ratio)
{
    var line = $"{name,-34}{value(d).ToString(format, CultureInfo.InvariantCulture),10}";
    foreach (var target in targets.Skip(1))
    {
        var v = value(results[target]);
        var compared = ratio ? (v / value(d)).ToString("F2", CultureInfo.InvariantCulture) : (v - value(d)).ToString("+0.0;-0.0", CultureInfo.InvariantCulture);
        line += $"{v.ToString(format, CultureInfo.InvariantCulture),12} ({compared,7})";
    }
    Console.WriteLine(line);
}

void CpuRatio(string name, Func<Results, List<double>> load, Func<Results, List<double>> proxy)
{
    var line = $"{name,-34}{"",10}";
    foreach (var target in targets.Skip(1))
    {
        var ratio = Median(load(d)) / (Median(load(results[target])) + Median(proxy(results[target])));
        line += $"{"",12} ({ratio.ToString("F2", CultureInfo.InvariantCulture),7})";
    }
    Console.WriteLine(line);
}

// Runs `measure`, and returns its result with the CPU time (µs) the load process and the target's proxy spent meanwhile.
async Task<(double Value, double LoadCpu, double ProxyCpu)> Measured(Target target, Func<Task<double>> measure)
{
    using var self = Process.GetCurrentProcess();
    var (load, proxy) = (self.TotalProcessorTime, target.Cpu());
    var value = await measure();
    self.Refresh();
    return (value, (self.TotalProcessorTime - load).TotalMicroseconds, target.Cpu() - proxy);
}

// Runs `measure` with strace counting the system calls of the target's relaying threads; returns the calls by name,
// each divided by `per` (the round trips or the MB the phase moves).
async Task<Dictionary<string, double>> TracedAsync(Target target, Func<Task<double>> measure, double per)
{
    var threads = target.Threads();
    // A contender without a cgroup names no threads: nothing to count.
    if (threads.Length == 0)
        return [];
    var summary = Path.GetTempFileName();
    var start = new ProcessStartInfo("strace");
    foreach (var arg in new[] { "-c", "-f", "-qq", "-o", summary }.Concat(threads.SelectMany(t => new[] { "-p", $"{t}" })))
        start.ArgumentList.Add(arg);
    using var strace = Process.Start(start)!;
    // Measured only once strace holds every thread still there (socat's children of the last phase may be ending):
    // /proc/<tid>/status names the tracer.
    foreach (var thread in threads)
    {
        while (StatusOf(thread) is { } status && !status.Contains($"TracerPid:\t{strace.Id}", StringComparison.Ordinal))
            await Task.Delay(10);
    }
    await measure();
    // strace writes its summary when interrupted, as on Ctrl-C, and detaches.
    using (var interrupt = Process.Start("kill", ["-INT", $"{strace.Id}"]))
        await interrupt.WaitForExitAsync();
    await strace.WaitForExitAsync();
    var calls = new Dictionary<string, double>();
    // Rows: % time, seconds, usecs/call, calls, [errors,] syscall; the total row and the rules are skipped.
    foreach (var fields in File.ReadAllLines(summary).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
    {
        if (fields.Length is 5 or 6 && fields[^1] != "total" && long.TryParse(fields[3], CultureInfo.InvariantCulture, out var count))
            calls[fields[^1]] = count / per;
    }
    File.Delete(summary);
    return calls;
}

static string? StatusOf(int thread)
{
    try
    {
        return File.ReadAllText($"/proc/{thread}/status");
    }
    catch (IOException)
    {
        return null;
    }
}

static int[] ThreadsOf(int pid) =>
    Directory.GetDirectories($"/proc/{pid}/task").Select(d => int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture)).ToArray();

// Starts contender.sh's relay `name` forwarding three free ports to the backends, and returns it once all three accept.
async Task<Target> StartContenderAsync(string name)
{
    var free = Enumerable.Range(0, 3).Select(_ => Listen()).ToArray();
    var (echo, sink, exchange) = (PortOf(free[0]), PortOf(free[1]), PortOf(free[2]));
    foreach (var listener in free)
        listener.Dispose();
    var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true };
    foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "contender.sh"), name, $"{echo}:{direct.Echo}", $"{sink}:{direct.Sink}", $"{exchange}:{direct.Exchange}" })
        start.ArgumentList.Add(arg);
    var process = Process.Start(start)!;
    contenders.Add(process);
    var usage = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException($"The contender {name} did not start.");
    foreach (var port in new[] { echo, sink, exchange })
        await AcceptingAsync(name, port);
    // cpuacct.usage counts nanoseconds of every process and thread in the contender's cgroup, whose tasks file lists
    // the threads; without a cgroup, neither figure. The threads are traced with -f: socat forks for each connection.
    var tasks = Path.Combine(Path.GetDirectoryName(usage) ?? "", "tasks");
    return new(name, echo, sink, exchange, usage == "-"
        ? () => double.NaN
        : () => long.Parse(File.ReadAllText(usage), CultureInfo.InvariantCulture) / 1000.0,
        () => usage == "-" ? [] : File.ReadAllLines(tasks).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray());
}

// Returns once `port` accepts a connection: the contender has bound it.
static async Task AcceptingAsync(string name, int port)
{
    var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
    while (true)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await probe.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"The contender {name} does not accept on port {port}.", e);
        }
    }
}

// The proxy child's CPU time in µs.
double ProxyCpu()
{
    proxyProcess.Refresh();
    return proxyProcess.TotalProcessorTime.TotalMicroseconds;
}

// `count` exchanges split over the clients; returns exchanges per second.
async Task<double> ExchangesAsync(int port, int count)
{
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => ClientAsync(port, count / clients + (c < count % clients ? 1 : 0))));
    return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
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
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => KeptAliveClientAsync(port, count / clients + (c < count % clients ? 1 : 0), null)));
    return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
}

// `count` round trips one after the other on one kept-alive connection; returns each one's time in µs.
async Task<double[]> LatenciesAsync(int port, int count)
{
    var times = new double[count];
    await KeptAliveClientAsync(port, count, times);
    return times;
}

async Task KeptAliveClientAsync(int port, int count, double[]? times)
{
    var request = new byte[MessageSize];
    var response = new byte[MessageSize];
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(IPAddress.Loopback, port);
    for (var i = 0; i < count; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await socket.SendAsync(request);
        await ReceiveExactlyAsync(socket, response);
        if (times is not null)
            times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
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

// The child: an epoll-relay and a portable-relay proxy for each backend port, their ports printed on one line
// (epoll ones first), until the parent closes standard input.
static async Task ServeProxiesAsync(int[] backends)
{
    var proxies = new List<TcpProxy>();
    foreach (var portable in new[] { false, true })
    {
        foreach (var backend in backends)
        {
            var proxy = new TcpProxy(0, TcpProxyOptions.Default with { PortableRelay = portable });
            proxy.Start();
            proxy.SetBackends([backend]);
            proxies.Add(proxy);
        }
    }
    Console.WriteLine(string.Join(' ', proxies.Select(p => p.Port)));
    await Console.In.ReadToEndAsync();
    foreach (var proxy in proxies)
        await proxy.DisposeAsync();
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

static int PortOf(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

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

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double rank)
{
    var sorted = values.Order().ToArray();
    return sorted[(int)Math.Round(rank * (sorted.Length - 1))];
}

/// <summary>Where a measurement connects, the CPU time (µs) its proxy has spent so far, and the threads that relay.</summary>
internal sealed record Target(string Name, int Echo, int Sink, int Exchange, Func<double> Cpu, Func<int[]> Threads);

internal sealed class Results
{
    public List<double> Trips { get; } = [];
    public List<double> Bulk { get; } = [];
    public List<double> Exchanges { get; } = [];
    public List<double> Latencies { get; } = [];
    public List<double> LoadCpuPerTrip { get; } = [];
    public List<double> ProxyCpuPerTrip { get; } = [];
    public List<double> LoadCpuPerMB { get; } = [];
    public List<double> ProxyCpuPerMB { get; } = [];
    public Dictionary<string, double> SyscallsPerTrip { get; set; } = [];
    public Dictionary<string, double> SyscallsPerMB { get; set; } = [];
}
