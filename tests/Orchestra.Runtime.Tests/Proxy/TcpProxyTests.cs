using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestra.Runtime.Proxy;

namespace Orchestra.Runtime.Tests.Proxy;

/// <summary>Linux's default relay: the epoll relay thread.</summary>
public sealed class EpollRelayProxyTests() : TcpProxyTests(portableRelay: false);

/// <summary>The portable relay (two async pumps per connection), which every other OS uses.</summary>
public sealed class PortableRelayProxyTests() : TcpProxyTests(portableRelay: true);

/// <summary>The proxy's behaviour, which each relay must keep: every test runs once per relay.</summary>
public abstract class TcpProxyTests(bool portableRelay)
{
    private TcpProxy NewProxy(int port = 0, TcpProxyOptions? options = null) =>
        new(port, (options ?? TcpProxyOptions.Default) with { PortableRelay = portableRelay });

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port).WithDeadline();
        return socket;
    }

    private static async Task<string> ReadAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        await new NetworkStream(socket).ReadExactlyAsync(buffer).AsTask().WithDeadline();
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer).WithDeadline()) > 0)
            received.Write(buffer, 0, read);
        return received.ToArray();
    }

    private static async Task<string> ExchangeAsync(Socket socket, string text)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(text));
        return await ReadAsync(socket, text.Length);
    }

    /// <summary>How a connection ended as the client sees it: an orderly end (0 bytes read) or a reset.</summary>
    private static async Task<string> ReadEndAsync(Socket socket)
    {
        var buffer = new byte[16];
        try
        {
            var read = await socket.ReceiveAsync(buffer).WithDeadline();
            return read == 0 ? "closed" : $"got {read} bytes";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "closed";
        }
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Forwards_bytes_both_ways_including_a_large_payload_intact()
    {
        await using var backend = TestBackend.Echo();
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([backend.Port]);
        using var client = await ConnectAsync(proxy.Port);

        Assert.Equal("hello", await ExchangeAsync(client, "hello"));

        var payload = new byte[5 * 1024 * 1024];
        new Random(42).NextBytes(payload);
        var receiving = ReadToEndAsync(client);
        await client.SendAsync(payload).WithDeadline();
        client.Shutdown(SocketShutdown.Send);
        var echoed = await receiving;
        Assert.Equal(payload.Length, echoed.Length);
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "The echoed payload differs from what was sent.");
    }

    [Fact]
    public async Task Draining_a_backend_waits_for_its_open_connections_and_sends_new_ones_elsewhere()
    {
        await using var a = TestBackend.Echo("A");
        await using var b = TestBackend.Echo("B");
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([a.Port]);
        using var onA = await ConnectAsync(proxy.Port);
        Assert.Equal("A", await ReadAsync(onA, 1));

        proxy.SetBackends([b.Port]);
        var drained = proxy.DrainAsync(a.Port, TimeSpan.FromMinutes(5), CancellationToken.None);
        using var onB = await ConnectAsync(proxy.Port);
        Assert.Equal("B", await ReadAsync(onB, 1));
        // The connection A already had still works, and the drain waits for it.
        Assert.Equal("still here", await ExchangeAsync(onA, "still here"));
        Assert.False(drained.IsCompleted, "the drain ended while A still had a connection");

        onA.Shutdown(SocketShutdown.Send);
        Assert.Equal("closed", await ReadEndAsync(onA));
        Assert.True(await drained.WithDeadline());
        Assert.True(await proxy.DrainAsync(b.Port, TimeSpan.FromMilliseconds(50), CancellationToken.None) is false, "B's open connection was not counted");
    }

    [Fact]
    public async Task New_connections_take_turns_among_the_backends()
    {
        await using var a = TestBackend.Echo("A");
        await using var b = TestBackend.Echo("B");
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([a.Port, b.Port]);

        var names = new List<string>();
        var clients = new List<Socket>();
        for (var i = 0; i < 4; i++)
        {
            var client = await ConnectAsync(proxy.Port);
            clients.Add(client);
            names.Add(await ReadAsync(client, 1));
        }

        Assert.NotEqual(names[0], names[1]);
        Assert.Equal([names[0], names[1], names[0], names[1]], names);
        Assert.Equal(2, a.Accepted);
        Assert.Equal(2, b.Accepted);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_removed_backend_gets_no_new_connection_and_its_open_one_keeps_working()
    {
        await using var a = TestBackend.Echo("A");
        await using var b = TestBackend.Echo("B");
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([a.Port]);
        using var throughA = await ConnectAsync(proxy.Port);
        Assert.Equal("A", await ReadAsync(throughA, 1));

        proxy.SetBackends([b.Port]);
        Assert.Equal([b.Port], proxy.Backends);
        using var second = await ConnectAsync(proxy.Port);
        using var third = await ConnectAsync(proxy.Port);

        Assert.Equal("B", await ReadAsync(second, 1));
        Assert.Equal("B", await ReadAsync(third, 1));
        Assert.Equal("still here", await ExchangeAsync(throughA, "still here"));
        Assert.Equal(1, a.Accepted);
    }

    [Fact]
    public async Task A_client_that_came_while_there_was_no_backend_is_held_and_served_once_one_is_set()
    {
        await using var proxy = NewProxy();
        proxy.Start();
        using var client = await ConnectAsync(proxy.Port);
        await client.SendAsync(Encoding.ASCII.GetBytes("early"));
        await Eventually.TrueAsync(() => proxy.ConnectionsWaitingForBackend == 1, "the client to wait for a backend");

        await using var backend = TestBackend.Echo("A");
        proxy.SetBackends([backend.Port]);

        Assert.Equal("Aearly", await ReadAsync(client, 6));
        Assert.Equal(0, proxy.ConnectionsWaitingForBackend);
    }

    [Fact]
    public async Task A_client_is_closed_when_no_backend_appears_within_WaitForBackend()
    {
        await using var proxy = NewProxy(0, new TcpProxyOptions { WaitForBackend = TimeSpan.FromMilliseconds(200) });
        proxy.Start();
        using var client = await ConnectAsync(proxy.Port);

        Assert.Equal("closed", await ReadEndAsync(client));
        Assert.Equal(0, proxy.ConnectionsWaitingForBackend);
    }

    [Fact]
    public async Task A_backend_that_refuses_is_skipped_for_a_live_one()
    {
        var refused = UnusedPort();
        await using var live = TestBackend.Echo("L");
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([refused, live.Port]);

        // Three connections: the turn starts on the refused backend at least once.
        for (var i = 0; i < 3; i++)
        {
            using var client = await ConnectAsync(proxy.Port);
            Assert.Equal("L", await ReadAsync(client, 1));
        }
        Assert.Equal(3, live.Accepted);
    }

    [Fact]
    public async Task After_the_client_finishes_sending_the_backend_still_answers_and_the_client_gets_the_answer()
    {
        await using var backend = TestBackend.Serving(async socket =>
        {
            var received = 0;
            var buffer = new byte[1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
                received += read;
            await socket.SendAsync(Encoding.ASCII.GetBytes($"got {received} bytes"));
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([backend.Port]);
        using var client = await ConnectAsync(proxy.Port);

        await client.SendAsync(Encoding.ASCII.GetBytes("hello"));
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("got 5 bytes", Encoding.ASCII.GetString(await ReadToEndAsync(client)));
    }

    [Fact]
    public async Task A_backend_that_resets_resets_the_client_rather_than_ending_it_in_order()
    {
        await using var backend = TestBackend.Serving(async socket =>
        {
            await socket.ReceiveAsync(new byte[1]);
            socket.LingerState = new LingerOption(true, 0);
            socket.Dispose();
        });
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([backend.Port]);
        using var client = await ConnectAsync(proxy.Port);

        await client.SendAsync(Encoding.ASCII.GetBytes("x"));

        var thrown = await Assert.ThrowsAsync<SocketException>(() => client.ReceiveAsync(new byte[16]).WithDeadline());
        Assert.Equal(SocketError.ConnectionReset, thrown.SocketErrorCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    public async Task Start_on_a_port_another_listener_holds_throws_naming_the_port(string heldOn)
    {
        using var holder = new TcpListener(IPAddress.Parse(heldOn), 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        await using var proxy = NewProxy(port);

        var thrown = Assert.Throws<PortUnavailableException>(proxy.Start);

        Assert.Equal(port, thrown.Port);
        Assert.Equal($"Port {port} on 127.0.0.1 is already in use.", thrown.Message);
        // The holder still gets its connections: nothing was taken from it.
        using var client = await ConnectAsync(port);
        using var accepted = await holder.AcceptSocketAsync().WithDeadline();
        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task Dispose_closes_open_connections_and_frees_the_port()
    {
        await using var backend = TestBackend.Echo();
        var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([backend.Port]);
        var port = proxy.Port;
        using var client = await ConnectAsync(port);
        Assert.Equal("ping", await ExchangeAsync(client, "ping"));

        await proxy.DisposeAsync().AsTask().WithDeadline();

        Assert.Equal("closed", await ReadEndAsync(client));
        using var again = new TcpListener(IPAddress.Loopback, port);
        again.Start();
        Assert.Equal(port, ((IPEndPoint)again.LocalEndpoint).Port);
    }

    [Fact]
    public async Task Kept_alive_round_trips_of_every_size_arrive_intact_and_in_order()
    {
        await using var backend = TestBackend.Echo();
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([backend.Port]);
        using var client = await ConnectAsync(proxy.Port);
        var random = new Random(7);

        // Small messages as HTTP keep-alive sends them, and some larger than the relay's 256 KiB read.
        foreach (var size in Enumerable.Range(0, 300).Select(i => i % 50 == 0 ? 300_000 + i : 1 + random.Next(2_000)))
        {
            var message = new byte[size];
            random.NextBytes(message);
            var answer = new byte[size];
            var receiving = new NetworkStream(client).ReadExactlyAsync(answer).AsTask();
            await client.SendAsync(message).WithDeadline();
            await receiving.WithDeadline();
            Assert.True(message.AsSpan().SequenceEqual(answer), $"The {size}-byte answer differs from what was sent.");
        }
    }

    [Fact]
    public async Task A_backend_slower_than_its_client_still_gets_every_byte_in_order()
    {
        var payload = new byte[32 * 1024 * 1024];
        new Random(11).NextBytes(payload);
        await using var backend = TestBackend.Serving(async socket =>
        {
            // Reads of 1 KiB, each awaited, against the proxy's 64 KiB: its sends to this socket fill up and must wait.
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
                hash.AppendData(buffer, 0, read);
            await socket.SendAsync(hash.GetHashAndReset());
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([backend.Port]);
        using var client = await ConnectAsync(proxy.Port);

        await client.SendAsync(payload).WithDeadline();
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(payload), await ReadToEndAsync(client));
    }

    [Fact]
    public async Task After_the_backend_finishes_sending_the_client_still_reaches_it()
    {
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TestBackend.Serving(async socket =>
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("bye"));
            socket.Shutdown(SocketShutdown.Send);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer);
            heard.TrySetResult(Encoding.ASCII.GetString(buffer, 0, read));
        });
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([backend.Port]);
        using var client = await ConnectAsync(proxy.Port);

        Assert.Equal("bye", Encoding.ASCII.GetString(await ReadToEndAsync(client)));
        await client.SendAsync(Encoding.ASCII.GetBytes("one more"));

        Assert.Equal("one more", await heard.Task.WithDeadline());
    }

    [Fact]
    public async Task A_client_that_resets_resets_the_backend_rather_than_ending_it_in_order()
    {
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TestBackend.Serving(async socket =>
        {
            var buffer = new byte[16];
            try
            {
                await socket.ReceiveAsync(buffer);
                await socket.SendAsync(buffer.AsMemory(0, 1));
                ended.TrySetResult(await socket.ReceiveAsync(buffer) == 0 ? "ended in order" : "more bytes");
            }
            catch (SocketException e)
            {
                ended.TrySetResult(e.SocketErrorCode.ToString());
            }
        });
        await using var proxy = NewProxy();
        proxy.Start();
        proxy.SetBackends([backend.Port]);
        var client = await ConnectAsync(proxy.Port);
        Assert.Equal("x", await ExchangeAsync(client, "x"));

        client.LingerState = new LingerOption(true, 0);
        client.Dispose();

        Assert.Equal(nameof(SocketError.ConnectionReset), await ended.Task.WithDeadline());
    }
}
