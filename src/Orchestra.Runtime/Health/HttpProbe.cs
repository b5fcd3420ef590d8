using System.Globalization;

namespace Orchestra.Runtime.Health;

/// <summary>Ready when a GET of the path on http://127.0.0.1:port answers 2xx.</summary>
public sealed class HttpProbe(HttpClient client, int port, string path) : IHealthProbe
{
    private readonly Uri _uri = new($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{path.TrimStart('/')}");

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
