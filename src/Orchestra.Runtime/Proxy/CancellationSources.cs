using System.Collections.Concurrent;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// Cancellation sources linked to the proxy's stopping token, reused: one that was never cancelled goes back for the
/// next connection. Every connection needs two (its connect timeout and its abort), and a new source, link and timer
/// each time would be a large part of what the proxy allocates per connection.
/// </summary>
internal sealed class CancellationSources(CancellationToken stopping)
{
    private readonly ConcurrentQueue<CancellationTokenSource> _idle = new();

    /// <summary>A source that is cancelled at the latest when the proxy stops.</summary>
    public CancellationTokenSource Rent() =>
        _idle.TryDequeue(out var source) ? source : CancellationTokenSource.CreateLinkedTokenSource(stopping);

    /// <summary>Keeps <paramref name="source"/> for reuse unless it has been cancelled (or its timer has fired).</summary>
    public void Return(CancellationTokenSource source)
    {
        if (source.TryReset())
            _idle.Enqueue(source);
        else
            source.Dispose();
    }
}
