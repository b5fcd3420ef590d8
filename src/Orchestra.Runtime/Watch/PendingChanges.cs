using System.Diagnostics;

namespace Orchestra.Runtime.Watch;

/// <summary>
/// The changed paths nobody has taken yet, and when the last one came in. File system events add to it on
/// thread-pool threads whether or not a caller waits, so nothing is lost between two waits.
/// </summary>
internal sealed class PendingChanges
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _paths = new(PathComparison.Comparer);
    private long _lastChange;
    private TaskCompletionSource? _firstChange;

    public int Count
    {
        get
        {
            lock (_lock)
                return _paths.Count;
        }
    }

    public void Add(IEnumerable<string> paths)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _paths.UnionWith(paths);
            if (_paths.Count == 0)
                return;
            // A path written again still extends the quiet period: the editor or checkout is not done yet.
            _lastChange = Stopwatch.GetTimestamp();
            waiter = _firstChange;
            _firstChange = null;
        }
        // Completed outside the lock; the source runs continuations asynchronously anyway.
        waiter?.TrySetResult();
    }

    /// <summary>Completes once at least one change is pending.</summary>
    public Task WhenAnyAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_paths.Count > 0)
                return Task.CompletedTask;
            _firstChange ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _firstChange.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Takes every pending path once none came in for <paramref name="quiet"/>. Otherwise returns null and sets
    /// <paramref name="wait"/> to how much longer the quiet must last, or to zero when nothing is pending (another
    /// caller took it).
    /// </summary>
    public IReadOnlyList<string>? TakeAfterQuiet(TimeSpan quiet, out TimeSpan wait)
    {
        lock (_lock)
        {
            wait = TimeSpan.Zero;
            if (_paths.Count == 0)
                return null;
            var left = quiet - Stopwatch.GetElapsedTime(_lastChange);
            if (left > TimeSpan.Zero)
            {
                wait = left;
                return null;
            }
            var taken = _paths.Order(PathComparison.Comparer).ToList();
            _paths.Clear();
            return taken;
        }
    }
}
