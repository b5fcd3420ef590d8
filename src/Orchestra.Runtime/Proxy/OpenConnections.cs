namespace Orchestra.Runtime.Proxy;

/// <summary>The connections a proxy serves now, so that disposing it can await every one.</summary>
internal sealed class OpenConnections
{
    private readonly Lock _lock = new();
    private readonly HashSet<ProxiedConnection> _open = [];

    public void Add(ProxiedConnection connection)
    {
        lock (_lock)
            _open.Add(connection);
    }

    public void Remove(ProxiedConnection connection)
    {
        lock (_lock)
            _open.Remove(connection);
    }

    /// <summary>Completes when every connection open now has ended; rethrows what any of them failed with.</summary>
    public Task WhenAllEndedAsync()
    {
        lock (_lock)
            return Task.WhenAll(_open.Select(connection => connection.Completion));
    }
}
