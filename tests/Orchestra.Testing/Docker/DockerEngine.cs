using System.Net.Sockets;
using System.Text.Json;

namespace Orchestra.Testing.Docker;

/// <summary>
/// The Docker engine's HTTP API, for what tests check and clean up around the product (the product has its own
/// client): <c>DOCKER_HOST</c> when set (<c>unix://</c> or plain <c>tcp://</c>), else the usual Unix socket.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    public const string DefaultHost = "unix:///var/run/docker.sock";

    /// <summary>The label Orchestra puts on the containers and volumes of a workspace; its value is the workspace's folder.</summary>
    public const string WorkspaceLabel = "orchestra.workspace";

    private readonly HttpClient _http;

    /// <exception cref="ArgumentException">The address is neither a <c>unix://</c> nor a <c>tcp://</c> one.</exception>
    public DockerEngine(string host)
    {
        Host = host;
        if (!Uri.TryCreate(host, UriKind.Absolute, out var address))
            throw new ArgumentException($"DOCKER_HOST must be a unix:// or tcp:// address, got '{host}'.");
        _http = address.Scheme switch
        {
            "unix" => new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = (_, cancel) => ConnectAsync(Uri.UnescapeDataString(address.AbsolutePath), cancel),
            })
            {
                // Any host name: the connection goes to the socket whatever the URL says.
                BaseAddress = new Uri("http://docker/"),
            },
            "tcp" => new HttpClient { BaseAddress = new Uri($"http://{address.Authority}/") },
            _ => throw new ArgumentException($"DOCKER_HOST must be a unix:// or tcp:// address, got '{host}'."),
        };
    }

    /// <summary>The engine's address, as given.</summary>
    public string Host { get; }

    public static DockerEngine FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : DefaultHost);

    /// <summary>Completes when the engine answers <c>GET /_ping</c>; throws <see cref="HttpRequestException"/> when it does not.</summary>
    public async Task PingAsync(CancellationToken cancel)
    {
        using var response = await _http.GetAsync("_ping", cancel);
        response.EnsureSuccessStatusCode();
    }

    public async Task<bool> HasImageAsync(string image, CancellationToken cancel)
    {
        using var response = await _http.GetAsync($"images/{image}/json", cancel);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return false;
        response.EnsureSuccessStatusCode();
        return true;
    }

    /// <summary>The ids of the containers, running or not, labelled with the workspace.</summary>
    public async Task<IReadOnlyList<string>> WorkspaceContainersAsync(string workspaceRoot, CancellationToken cancel)
    {
        using var list = await GetJsonAsync($"containers/json?all=true&filters={LabelFilter(workspaceRoot)}", cancel);
        return list.RootElement.EnumerateArray().Select(container => container.GetProperty("Id").GetString()!).ToList();
    }

    /// <summary>The names of the volumes labelled with the workspace.</summary>
    public async Task<IReadOnlyList<string>> WorkspaceVolumesAsync(string workspaceRoot, CancellationToken cancel)
    {
        using var list = await GetJsonAsync($"volumes?filters={LabelFilter(workspaceRoot)}", cancel);
        return list.RootElement.GetProperty("Volumes") is { ValueKind: JsonValueKind.Array } volumes
            ? volumes.EnumerateArray().Select(volume => volume.GetProperty("Name").GetString()!).ToList()
            : [];
    }

    /// <summary>The ids of the networks labelled with the workspace.</summary>
    public async Task<IReadOnlyList<string>> WorkspaceNetworksAsync(string workspaceRoot, CancellationToken cancel)
    {
        using var list = await GetJsonAsync($"networks?filters={LabelFilter(workspaceRoot)}", cancel);
        return list.RootElement.EnumerateArray().Select(network => network.GetProperty("Id").GetString()!).ToList();
    }

    /// <summary>
    /// Removes every container (killed first when it runs, with its anonymous volumes), then every volume and network
    /// labelled with the workspace: what a test created is gone whatever state it left it in (and the engine has room
    /// for few bridge networks).
    /// </summary>
    public async Task RemoveWorkspaceAsync(string workspaceRoot, CancellationToken cancel)
    {
        foreach (var id in await WorkspaceContainersAsync(workspaceRoot, cancel))
            await DeleteAsync($"containers/{id}?force=true&v=true", cancel);
        foreach (var name in await WorkspaceVolumesAsync(workspaceRoot, cancel))
            await DeleteAsync($"volumes/{Uri.EscapeDataString(name)}?force=true", cancel);
        foreach (var id in await WorkspaceNetworksAsync(workspaceRoot, cancel))
            await DeleteAsync($"networks/{id}", cancel);
    }

    public void Dispose() => _http.Dispose();

    private static async ValueTask<Stream> ConnectAsync(string path, CancellationToken cancel)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancel);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string LabelFilter(string workspaceRoot) =>
        Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]>
        {
            ["label"] = [$"{WorkspaceLabel}={workspaceRoot}"],
        }));

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancel)
    {
        using var response = await _http.GetAsync(path, cancel);
        response.EnsureSuccessStatusCode();
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancel), cancellationToken: cancel);
    }

    private async Task DeleteAsync(string path, CancellationToken cancel)
    {
        using var response = await _http.DeleteAsync(path, cancel);
        // Gone meanwhile (removed with its container, or by the product) is as good as removed.
        if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
            response.EnsureSuccessStatusCode();
    }
}
