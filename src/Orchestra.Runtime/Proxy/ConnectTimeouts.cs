using System.Collections.Concurrent;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// Cancellation sources that end one backend connect when <c>limit</c> has passed or the proxy stops. A connect that
/// ends in time hands its source back for the next one: a new source, link and timer per connection would be a large
/// part of what the proxy allocates for each.
/// </summary>
internal sealed class ConnectTimeouts(TimeSpan limit, CancellationToken stopping)
{
    private readonly ConcurrentQueue<CancellationTokenSource> _idle = new();

    /// <summary>A source that cancels after the limit, or at once when the proxy stops.</summary>
    public CancellationTokenSource Rent()
    {
        if (!_idle.TryDequeue(out var source))
            source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        source.CancelAfter(limit);
        return source;
    }

    /// <summary>Keeps <paramref name="source"/> for the next connect unless it has been cancelled (or its timer has fired).</summary>
    public void Return(CancellationTokenSource source)
    {
        if (source.TryReset())
            _idle.Enqueue(source);
        else
            source.Dispose();
    }
}
