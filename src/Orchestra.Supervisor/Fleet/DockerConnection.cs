using Orchestra.Vendors.Engine;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// The supervisor's one connection to the Docker engine, shared by the vendors and the services' containers: made on
/// first use, and again when a request names another engine (its shell's <c>DOCKER_HOST</c>).
/// </summary>
internal sealed class DockerConnection : IDisposable
{
    private DockerEngine? _engine;

    /// <summary>The engine last connected to, or null before any.</summary>
    public DockerEngine? Current => _engine;

    /// <exception cref="DockerUnavailableException">Nothing answers at the endpoint.</exception>
    public async Task<DockerEngine> ConnectAsync(string? dockerHost, CancellationToken cancellationToken)
    {
        var endpoint = DockerEndpoint.From(dockerHost);
        if (_engine is { } engine && engine.Endpoint == endpoint)
            return engine;
        var connected = await DockerEngine.ConnectAsync(endpoint, cancellationToken);
        _engine?.Dispose();
        return _engine = connected;
    }

    public void Dispose() => _engine?.Dispose();
}
