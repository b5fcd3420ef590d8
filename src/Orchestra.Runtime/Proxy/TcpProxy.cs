using System.Net;
using System.Net.Sockets;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// Makes a service's public port on 127.0.0.1 reachable whatever its replica count: listens on the port and forwards
/// each TCP connection, round-robin, to one of the ready replicas, each of which listens on a port of its own.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly BackendSet _backends = new();
    private readonly BackendLoad _load = new();
    private readonly BackendConnector _connector;
    private readonly IConnectionRelay _relay;
    private readonly OpenConnections _open = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationSources _sources;
    private Socket? _listener;
    private Task? _accepting;
    private int _disposed;

    /// <summary>A proxy for <paramref name="port"/> on 127.0.0.1 (0: any free port, which <see cref="Port"/> tells after <see cref="Start"/>).</summary>
    public TcpProxy(int port, TcpProxyOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        options ??= TcpProxyOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WaitForBackend, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero, nameof(options));
        Port = port;
        _sources = new CancellationSources(_stopping.Token);
        _relay = (OperatingSystem.IsLinux() && !options.PortableRelay ? EpollRelay.For(_stopping.Token) : (IConnectionRelay?)null)
                 ?? new SocketPumpRelay(_sources);
        _connector = new BackendConnector(_backends, _load, _relay, options, _sources, _stopping.Token);
    }

    /// <summary>The public port.</summary>
    public int Port { get; private set; }

    /// <summary>The ready backend ports (on 127.0.0.1) new connections go to, as last set.</summary>
    public IReadOnlyList<int> Backends => _backends.Current.Ports;

    /// <summary>Client connections held now because no backend could be reached.</summary>
    internal int ConnectionsWaitingForBackend => _connector.Waiting;

    /// <summary>
    /// Binds 127.0.0.1:<see cref="Port"/> and starts accepting. Throws <see cref="PortUnavailableException"/> when
    /// another process listens on the port or it is not permitted.
    /// </summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_listener is not null)
            throw new InvalidOperationException($"The proxy for port {Port} is already started.");
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Kestrel does: the port is free again while connections of a previous proxy linger in TIME_WAIT.
            // On Linux this never shares a port with another listener (Windows' SO_REUSEADDR would, hence Linux only).
            if (OperatingSystem.IsLinux())
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
            listener.Listen();
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new PortUnavailableException(Port, e);
        }
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _listener = listener;
        _accepting = AcceptAsync(listener, _stopping.Token);
    }

    /// <summary>
    /// Replaces the set of ready backend ports (on 127.0.0.1). Cheap and callable from any thread at any time: new
    /// connections use the new set at once, open ones are left alone, and connections waiting for a backend wake.
    /// </summary>
    public void SetBackends(IReadOnlyList<int> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        foreach (var port in ports)
        {
            if (port is < 1 or > IPEndPoint.MaxPort)
                throw new ArgumentOutOfRangeException(nameof(ports), port, "A backend port is between 1 and 65535.");
        }
        _backends.Replace(ports);
    }

    /// <summary>
    /// Waits until no forwarded connection to the backend <paramref name="port"/> is open, for at most
    /// <paramref name="timeout"/>: call it after taking the port out of the backends, before stopping what listens
    /// there. False when connections were still open at the timeout.
    /// </summary>
    public async Task<bool> DrainAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _load.WhenIdleAsync(port).WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Stops accepting, closes the listener and every open forwarded connection, and awaits all its tasks.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stopping.CancelAsync();
        if (_accepting is not null)
            await _accepting;
        _listener?.Dispose();
        await _open.WhenAllEndedAsync();
        _stopping.Dispose();
    }

    private async Task AcceptAsync(Socket listener, CancellationToken stopping)
    {
        while (await ListenerAccept.NextAsync(listener, failing: null, recovered: null, stopping) is { } client)
        {
            client.NoDelay = true;
            ProxiedConnection.Start(client, _connector, _relay, _open, _load, stopping);
        }
    }
}
