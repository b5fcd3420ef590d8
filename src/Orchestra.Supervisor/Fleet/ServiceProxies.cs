using Orchestra.Runtime.Proxy;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// The port proxies of the services that run behind one (SPEC §5): one listener per public port, routing to the
/// service's healthy replicas. Thread-safe: routes change from the replicas' own loops.
/// </summary>
internal sealed class ServiceProxies : IAsyncDisposable
{
    private readonly Dictionary<string, TcpProxy> _proxies = [];
    private readonly Lock _lock = new();

    /// <summary>Listens on <paramref name="port"/> for <paramref name="service"/> unless it already does; throws <see cref="PortUnavailableException"/>.</summary>
    public async Task OpenAsync(string service, int port)
    {
        TcpProxy? moved;
        lock (_lock)
        {
            if (_proxies.TryGetValue(service, out moved) && moved.Port == port)
                return;
            _proxies.Remove(service);
        }
        // The service's port changed in service.yml since its proxy opened.
        if (moved is not null)
            await moved.DisposeAsync();
        var proxy = new TcpProxy(port);
        proxy.Start();
        lock (_lock)
            _proxies[service] = proxy;
    }

    /// <summary>Sends new connections for <paramref name="service"/> to <paramref name="readyPorts"/> (no change when they are the same).</summary>
    public void Route(string service, IReadOnlyList<int> readyPorts)
    {
        TcpProxy? proxy;
        lock (_lock)
            _proxies.TryGetValue(service, out proxy);
        if (proxy is not null && !proxy.Backends.SequenceEqual(readyPorts))
            proxy.SetBackends(readyPorts);
    }

    /// <summary>
    /// Waits until the service's proxy has no open connection to <paramref name="backendPort"/>, for at most
    /// <paramref name="timeout"/>; false when some were still open. True at once when the service has no proxy.
    /// </summary>
    public Task<bool> DrainAsync(string service, int backendPort, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TcpProxy? proxy;
        lock (_lock)
            _proxies.TryGetValue(service, out proxy);
        return proxy?.DrainAsync(backendPort, timeout, cancellationToken) ?? Task.FromResult(true);
    }

    /// <summary>Stops listening on the service's public port.</summary>
    public async Task CloseAsync(string service)
    {
        TcpProxy? proxy;
        lock (_lock)
        {
            if (!_proxies.Remove(service, out proxy))
                return;
        }
        await proxy.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        List<TcpProxy> all;
        lock (_lock)
        {
            all = [.. _proxies.Values];
            _proxies.Clear();
        }
        foreach (var proxy in all)
            await proxy.DisposeAsync();
    }
}
