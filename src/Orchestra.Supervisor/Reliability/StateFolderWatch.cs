namespace Orchestra.Supervisor.Reliability;

/// <summary>
/// Tells the supervisor when the workspace's state folder is deleted or renamed away while it runs
/// (<c>rm -rf .orchestra</c>). Its lock and socket went with it; without a new home, the next command would start a
/// second supervisor for the same replicas. Event-driven (inotify on Linux): it costs nothing while nothing happens.
/// </summary>
internal sealed class StateFolderWatch : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly SemaphoreSlim _lost = new(0);

    public StateFolderWatch(string workspaceRoot, string folderName)
    {
        _watcher = new FileSystemWatcher(workspaceRoot, folderName)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.DirectoryName | NotifyFilters.FileName,
        };
        _watcher.Deleted += (_, _) => _lost.Release();
        _watcher.Renamed += (_, e) =>
        {
            if (e.OldName == folderName)
                _lost.Release();
        };
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Completes when the folder is gone (again).</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _lost.WaitAsync(cancellationToken);

    public void Dispose()
    {
        _watcher.Dispose();
        _lost.Dispose();
    }
}
