using System.Globalization;

namespace Orchestra.Runtime.Health;

/// <summary>Ready when a GET of the path on http://127.0.0.1:port answers 2xx.</summary>
public sealed class HttpProbe(HttpClient client, int port, string path) : IHealthProbe
{
    private readonly Uri _uri = Address(port, path);

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
        try
        {
            using var response = await client.GetAsync(_uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
