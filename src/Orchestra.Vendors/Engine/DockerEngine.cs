using System.Net.Sockets;
using Docker.DotNet;

namespace Orchestra.Vendors.Engine;

/// <summary>
/// A connection to the Docker engine, checked to answer. The one place a <see cref="DockerClient"/> is made; the
/// client asks for no API version, so the engine answers in its own (1.41 for Debian's 20.10).
/// </summary>
public sealed class DockerEngine : IDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    private DockerEngine(DockerEndpoint endpoint, DockerClient client)
    {
        Endpoint = endpoint;
        Client = client;
    }

    public DockerEndpoint Endpoint { get; }

    public DockerClient Client { get; }

    /// <summary>Connects to the engine at <paramref name="endpoint"/> and checks that it answers.</summary>
    /// <exception cref="DockerUnavailableException">Nothing answers there, or not within a few seconds.</exception>
    public static async Task<DockerEngine> ConnectAsync(DockerEndpoint endpoint, CancellationToken cancellationToken)
    {
        // Streams (logs, waits) run as long as their containers; only the ping is bounded.
        var client = new DockerClientBuilder().WithEndpoint(endpoint.Uri).WithTimeout(Timeout.InfiniteTimeSpan).Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        try
        {
            await client.System.PingAsync(timeout.Token);
            return new DockerEngine(endpoint, client);
        }
        catch (Exception e) when (Unreachable(e) is { } reason && !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new DockerUnavailableException(endpoint, timeout.IsCancellationRequested ? $"no answer within {PingTimeout.TotalSeconds:0} s" : reason);
        }
    }

    /// <summary>Why a call could not reach the engine, in a few words, or null when the failure is something else.</summary>
    public static string? Unreachable(Exception e) => e switch
    {
        OperationCanceledException => "no answer",
        HttpRequestException { InnerException: SocketException socket } => socket.SocketErrorCode switch
        {
            SocketError.AddressNotAvailable or SocketError.HostNotFound => "no such socket",
            SocketError.ConnectionRefused => "connection refused",
            SocketError.AccessDenied => "permission denied",
            _ => socket.Message,
        },
        HttpRequestException http => http.InnerException?.Message ?? http.Message,
        SocketException socket => socket.Message,
        IOException io => io.Message,
        UnauthorizedAccessException => "permission denied",
        DockerApiException api => $"it answered {(int)api.StatusCode}: {MessageOf(api)}",
        _ => null,
    };

    /// <summary>The engine's own words for an error: the <c>message</c> of its JSON body.</summary>
    public static string MessageOf(DockerApiException e)
    {
        if (!string.IsNullOrWhiteSpace(e.ResponseBody))
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(e.ResponseBody);
                if (json.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
                    return text;
            }
            catch (System.Text.Json.JsonException)
            {
            }
            return e.ResponseBody.Trim();
        }
        return e.StatusCode.ToString();
    }

    public void Dispose() => Client.Dispose();
}
