using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestra.Runtime.Health;

namespace Orchestra.Runtime.Tests.Health;

/// <summary>
/// The http probe speaks HTTP on a plain socket: each test runs a real loopback server that reads the request and
/// answers with exact bytes (or not at all), so what the probe sends and how it reads every kind of answer is seen.
/// </summary>
public sealed class HttpProbeWireTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true)]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", true)]
    [InlineData("HTTP/1.0 299\r\n\r\n", true)]
    [InlineData("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", false)]
    [InlineData("HTTP/1.1 503 Service Unavailable\r\n\r\n", false)]
    [InlineData("HTTP/1.1 301 Moved Permanently\r\nLocation: /elsewhere\r\n\r\n", false)]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", false)]
    [InlineData("HTTP/1.1 20\r\n\r\n", false)]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n", false)]
    [InlineData("\u0016\u0003\u0001 garbage without a line break", false)]
    public async Task Only_a_2xx_status_line_is_ready(string answer, bool ready)
    {
        await using var server = new ScriptedServer(Encoding.Latin1.GetBytes(answer));

        Assert.Equal(ready, await new HttpProbe(server.Port, "/health").CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_request_is_a_get_of_the_path_on_the_loopback_host()
    {
        await using var server = new ScriptedServer("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray());

        Assert.True(await new HttpProbe(server.Port, "ready?full=1").CheckAsync(CancellationToken.None));
        var request = await server.Request;
        Assert.StartsWith("GET /ready?full=1 HTTP/1.1\r\n", request);
        Assert.Contains($"\r\nHost: 127.0.0.1:{server.Port}\r\n", request);
        Assert.EndsWith("\r\n\r\n", request);
    }

    [Fact]
    public async Task A_status_line_that_comes_in_pieces_is_read_whole()
    {
        await using var server = new ScriptedServer("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray(), pieces: 4);

        Assert.True(await new HttpProbe(server.Port, "/").CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_server_that_closes_without_answering_is_not_ready()
    {
        await using var server = new ScriptedServer(answer: null);

        Assert.False(await new HttpProbe(server.Port, "/health").CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_server_that_never_answers_is_not_ready_once_the_attempt_times_out()
    {
        await using var server = new ScriptedServer(answer: null, hold: true);

        var started = TimeProvider.System.GetTimestamp();
        Assert.False(await ProbeAttempt.RunAsync(new HttpProbe(server.Port, "/health"), TimeSpan.FromMilliseconds(300), TimeProvider.System, CancellationToken.None));
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromMilliseconds(250), Eventually.Deadline);
    }

    [Fact]
    public async Task Nothing_listening_is_not_ready()
    {
        Assert.False(await new HttpProbe(Ports.Free(), "/health").CheckAsync(CancellationToken.None));
    }

    /// <summary>
    /// Accepts one connection, reads the request to its blank line, then writes <c>answer</c> (in <c>pieces</c>
    /// writes) and closes; with no answer it closes at once, or with <c>hold</c> keeps the connection open, silent.
    /// </summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource<string> _request = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;

        public ScriptedServer(byte[]? answer, int pieces = 1, bool hold = false)
        {
            _listener.Start();
            _serving = ServeAsync(answer, pieces, hold);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Task<string> Request => _request.Task;

        private async Task ServeAsync(byte[]? answer, int pieces, bool hold)
        {
            try
            {
                using var client = await _listener.AcceptSocketAsync(_stop.Token);
                client.NoDelay = true;
                var received = new List<byte>();
                var buffer = new byte[1024];
                while (!Encoding.Latin1.GetString(received.ToArray()).EndsWith("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (read == 0)
                        break;
                    received.AddRange(buffer.AsSpan(0, read));
                }
                _request.TrySetResult(Encoding.Latin1.GetString(received.ToArray()));
                if (hold)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                var size = answer is null ? 0 : (answer.Length + pieces - 1) / pieces;
                for (var offset = 0; answer is not null && offset < answer.Length; offset += size)
                {
                    await client.SendAsync(answer.AsMemory(offset, Math.Min(size, answer.Length - offset)), SocketFlags.None, _stop.Token);
                    // The next piece only once the probe has taken this one: it must read past a partial line.
                    await Task.Yield();
                }
                client.Shutdown(SocketShutdown.Both);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
                // The probe closed once it had the status line: the rest of the answer is not its concern.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _serving;
            _listener.Dispose();
            _stop.Dispose();
        }
    }
}
