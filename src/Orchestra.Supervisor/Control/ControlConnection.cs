using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Orchestra.Supervisor.Control;

/// <summary>One socket carrying JSON lines, the framing both ends of the control API share.</summary>
internal sealed class ControlConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;
    private readonly SemaphoreSlim _sending = new(1, 1);

    public ControlConnection(Socket socket)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(stream, Encoding.UTF8);
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = false };
    }

    /// <summary>Sends one message as one line. Services of a wave report progress concurrently, so sends take turns.</summary>
    public async Task SendAsync<T>(T message, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.Serialize(message, type);
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _writer.WriteLineAsync(line.AsMemory(), cancellationToken);
            await _writer.FlushAsync(cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next message, or null when the other end closed the connection.</summary>
    public async Task<T?> ReceiveAsync<T>(JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        var line = await _reader.ReadLineAsync(cancellationToken);
        return line is null ? null : JsonSerializer.Deserialize(line, type);
    }

    /// <summary>Completes when the other end has closed the connection; anything it still sends is ignored.</summary>
    public async Task WaitForCloseAsync(CancellationToken cancellationToken)
    {
        while (await _reader.ReadLineAsync(cancellationToken) is not null)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _sending.Dispose();
        _reader.Dispose();
        _socket.Dispose();
    }
}
