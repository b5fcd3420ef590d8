namespace Orchestra.Runtime.Proxy;

/// <summary>
/// How many forwarded connections each backend port serves now, so that a replica taken out of the routes can be
/// stopped once the connections it already has are finished.
/// </summary>
internal sealed class BackendLoad
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, int> _open = [];
    private readonly Dictionary<int, TaskCompletionSource> _idle = [];

    public void Enter(int port)
    {
        lock (_lock)
            _open[port] = _open.GetValueOrDefault(port) + 1;
    }

    public void Leave(int port)
    {
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            var left = _open.GetValueOrDefault(port) - 1;
            if (left > 0)
            {
                _open[port] = left;
                return;
            }
            _open.Remove(port);
            _idle.Remove(port, out idle);
        }
        idle?.TrySetResult();
    }

    /// <summary>Completes when no connection to <paramref name="port"/> is open.</summary>
    public Task WhenIdleAsync(int port)
    {
        lock (_lock)
        {
            if (!_open.ContainsKey(port))
                return Task.CompletedTask;
            if (!_idle.TryGetValue(port, out var idle))
                _idle[port] = idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return idle.Task;
        }
    }
}
