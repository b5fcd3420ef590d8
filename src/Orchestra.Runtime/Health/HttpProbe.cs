using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestra.Runtime.Health;

/// <summary>
/// Ready when a GET of the path on http://127.0.0.1:port answers 2xx. The request is written on a plain socket and only
/// the status line is read: HttpClient would load System.Net.Http, its TLS, QUIC and diagnostics assemblies into the
/// supervisor, which runs for hours, for a one-line question to a loopback port.
/// </summary>
public sealed class HttpProbe(int port, string path) : IHealthProbe
{
    // A status line is "HTTP/1.1 200 OK\r\n"; a server whose first 1 KiB holds none is not answering HTTP.
    private const int StatusLineLimit = 1024;

    private readonly Uri _uri = Address(port, path);

    // The same request every time: written once, not at every probe of a starting crowd.
    private readonly byte[] _request = Request(Address(port, path));

    /// <summary>The probed address; a path that does not make a valid URL probes the root rather than failing the replica.</summary>
    public Uri Uri => _uri;

    private static Uri Address(int port, string path)
    {
        var root = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/";
        return Uri.TryCreate(root + path.TrimStart('/'), UriKind.Absolute, out var uri) && uri.IsLoopback ? uri : new Uri(root);
    }

    public bool WatchesLiveness => true;

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (!await ConnectAttempt.ConnectAsync(socket, new IPEndPoint(IPAddress.Loopback, _uri.Port), cancellationToken))
                return false;
            for (var sent = 0; sent < _request.Length;)
                sent += await socket.SendAsync(_request.AsMemory(sent), SocketFlags.None, cancellationToken);
            return IsSuccess(await ReadStatusLineAsync(socket, cancellationToken));
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static byte[] Request(Uri uri) =>
        Encoding.ASCII.GetBytes($"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: close\r\n\r\n");

    /// <summary>The bytes up to the first line break, or what came before the server closed or the limit was reached.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadStatusLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[StatusLineLimit];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
                break;
            var end = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (end >= 0)
                return buffer.AsMemory(0, end);
        }
        return buffer.AsMemory(0, length);
    }

    /// <summary>Whether a status line reads <c>HTTP/1.x 2xx …</c>; anything else (garbage, a cut-off line) is a failure.</summary>
    internal static bool IsSuccess(ReadOnlyMemory<byte> statusLine)
    {
        var line = statusLine.Span;
        if (!line.StartsWith("HTTP/1."u8) || line.Length < "HTTP/1.x 200".Length || line[8] != (byte)' ')
            return false;
        var code = line.Slice(9, 3);
        return Utf8Parser.TryParse(code, out int status, out var consumed) && consumed == 3
            && (line.Length == 12 || line[12] is (byte)' ' or (byte)'\r')
            && status is >= 200 and < 300;
    }
}
