namespace Orchestra.Runtime.Proxy;

/// <summary>How long a <see cref="TcpProxy"/> waits for backends.</summary>
public sealed record TcpProxyOptions
{
    /// <summary>
    /// How long a client connection waits for a ready backend when there is none (e.g. during a restart) before it
    /// is closed. Default 10 s.
    /// </summary>
    public TimeSpan WaitForBackend { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Limit for connecting to one backend before trying the next. Default 2 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Relays with two async socket pumps per connection even on Linux, where the epoll relay thread is the default:
    /// for the tests and benchmarks that compare the two.
    /// </summary>
    internal bool PortableRelay { get; init; }

    /// <summary>The defaults above.</summary>
    public static readonly TcpProxyOptions Default = new();
}
