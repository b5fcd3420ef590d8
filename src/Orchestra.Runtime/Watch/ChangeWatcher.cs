namespace Orchestra.Runtime.Watch;

/// <summary>
/// Watches a <see cref="WatchSet"/> with FileSystemWatchers (<see cref="SharedWatchers"/>) and reports changes,
/// debounced: an editor writes a file in several steps and a <c>git checkout</c> touches many files, and either should
/// rerun a service once.
/// </summary>
public sealed class ChangeWatcher : IDisposable, SharedWatchers.IListener
{
    private readonly TimeSpan _debounce;
    private readonly RelevantPaths _relevance;
    private readonly PendingChanges _pending = new();
    private readonly List<IDisposable> _watches = [];
    private readonly CancellationTokenSource _disposing = new();
    private int _disposed;

    /// <summary>Starts watching at once, so changes made before the first <see cref="NextChangeAsync"/> count.</summary>
    /// <param name="set">What to watch.</param>
    /// <param name="debounce">How long no relevant change must happen before a burst of changes is reported.</param>
    /// <exception cref="IOException">The OS refused a watch (e.g. the user's inotify instance limit is reached).</exception>
    public ChangeWatcher(WatchSet set, TimeSpan debounce)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfLessThan(debounce, TimeSpan.Zero);
        _debounce = debounce;
        _relevance = new RelevantPaths(set);
        Roots = WatchRoots.Plan(_relevance);
        try
        {
            foreach (var root in Roots)
                _watches.Add(SharedWatchers.Listen(root, this));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The directories being watched.</summary>
    internal IReadOnlyList<WatchRoot> Roots { get; }

    /// <summary>How many changed paths wait for the next <see cref="NextChangeAsync"/>.</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>
    /// Completes with the distinct full paths that changed (created, written, deleted, renamed from/to) once at least
    /// one relevant change happened and then the debounce passed with no further relevant change. Changes that happen
    /// while nobody awaits are kept and returned by the next call. After a lost event queue (overflow) the watched
    /// directories themselves are returned.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The watcher is or was disposed while waiting.</exception>
    public async Task<IReadOnlyList<string>> NextChangeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        try
        {
            while (true)
            {
                await _pending.WhenAnyAsync(stop.Token).ConfigureAwait(false);
                IReadOnlyList<string>? changed;
                while ((changed = _pending.TakeAfterQuiet(_debounce, out var wait)) is null && wait > TimeSpan.Zero)
                    await Task.Delay(wait, stop.Token).ConfigureAwait(false);
                if (changed is not null)
                    return changed;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && IsDisposed)
        {
            throw new ObjectDisposedException(nameof(ChangeWatcher));
        }
    }

    /// <summary>Stops watching; a pending <see cref="NextChangeAsync"/> fails with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _disposing.Cancel();
        foreach (var watch in _watches)
            watch.Dispose();
        _disposing.Dispose();
    }

    private bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    // Events were lost (queue overflow) or the watch broke: which files changed is unknown, so everything did.
    void SharedWatchers.IListener.EventsLost() => _pending.Add(Roots.Select(r => r.Directory));

    void SharedWatchers.IListener.Changed(string path, bool mayBeNewDirectory)
    {
        var fullPath = PathComparison.Normalize(path);
        if (_relevance.IsRelevant(fullPath))
            _pending.Add([fullPath]);
        else if (mayBeNewDirectory && Directory.Exists(fullPath))
            _pending.Add(NewDirectoryScan.RelevantFiles(fullPath, _relevance));
    }
}
