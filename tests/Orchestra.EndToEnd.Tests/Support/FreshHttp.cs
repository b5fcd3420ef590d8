namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>GETs over a connection of their own: a pooled connection would stay with one replica behind the port proxy.</summary>
public static class FreshHttp
{
    public static async Task<string> GetStringAsync(string url)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(url);
    }

    /// <summary>The answer, or null while nothing answers (a replica starting, a port not open yet).</summary>
    public static async Task<string?> TryGetStringAsync(string url)
    {
        try
        {
            return await GetStringAsync(url);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
