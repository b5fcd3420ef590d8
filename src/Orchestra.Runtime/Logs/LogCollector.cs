using Orchestra.Runtime;
using Orchestra.State;

namespace Orchestra.Runtime.Logs;

/// <summary>Tuning of the <see cref="LogCollector"/>.</summary>
public sealed record LogCollectorOptions
{
    /// <summary>
    /// How often the raw capture files are checked for new output where the OS cannot tell when they are written (no
    /// inotify), and the first wait for a capture file that does not exist yet.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);
    /// <summary>How often consumed offsets are persisted while output flows; a supervisor crash re-collects at most this much.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Size at which a replica's log file is rotated.</summary>
    public long MaxLogBytes { get; init; } = 10 * 1024 * 1024;
    /// <summary>Rotated files kept (<c>.log.1</c> … <c>.log.N</c>).</summary>
    public int KeepRotated { get; init; } = 3;
    /// <summary>Bytes read from one stream per pass, so stdout cannot starve stderr.</summary>
    public int MaxBytesPerPass { get; init; } = 1 << 20;
    /// <summary>The longest wait between retries while the log cannot be written; the wait doubles from <see cref="PollInterval"/> up to this.</summary>
    public TimeSpan MaxRetryInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>Why a replica's output cannot be collected at the moment, and since when; collection is retried until it can.</summary>
public sealed record LogFault(DateTimeOffset Since, string Reason);

/// <summary>
/// Moves one replica's output from its raw capture files into its log file. The replica writes straight to the
/// raw files (never into a pipe a supervisor must drain), so a fast printer is never blocked and output written
/// while no supervisor runs is kept; the collector catches up from the offsets it persisted. Offsets are
/// committed after the lines are written, so a supervisor crash may repeat up to one commit interval of lines
/// but never loses one. Collected raw bytes are punched out to give the disk space back.
/// <para>
/// A file system fault while collecting (a full disk, an immutable or vanished folder) is retried with a growing wait
/// and reported through <see cref="Fault"/>; nothing is consumed that was not written, so when the fault clears
/// collection resumes where it stopped, meanwhile the output waits in the raw capture files.
/// </para>
/// </summary>
public sealed class LogCollector : IAsyncDisposable
{
    private readonly ReplicaLogFiles _files;
    private readonly LogCollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<LogEntry>? _onLine;
    private readonly Action<LogOffsets> _commit;
    private readonly RawStreamTailer _stdout;
    private readonly RawStreamTailer _stderr;
    private readonly RotatingLogWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly WakeSignal _written = new();
    private IDisposable? _stdoutWatch;
    private IDisposable? _stderrWatch;
    private TimeSpan _missingFileWait;
    private LogOffsets _committed;
    // What is in the log file for sure: the offsets when the writer last had nothing waiting. Only these are committed,
    // so even the commit made when a fault stops a pass lets the next collector repeat no line.
    private LogOffsets _durable;
    private DateTimeOffset _lastCommit;
    private bool _canReclaim = true;
    private LogFault? _fault;
    private Task? _loop;

    /// <param name="files">The replica's files.</param>
    /// <param name="resumeFrom">Offsets persisted by the previous collector of this replica.</param>
    /// <param name="commit">Persists offsets (into the state file); called from the collector's loop.</param>
    /// <param name="onLine">Sees every collected line (the log health probe).</param>
    public LogCollector(ReplicaLogFiles files, LogOffsets resumeFrom, LogCollectorOptions options, TimeProvider time,
        Action<LogOffsets> commit, Action<LogEntry>? onLine = null)
    {
        _files = files;
        _options = options;
        _time = time;
        _commit = commit;
        _onLine = onLine;
        _committed = _durable = resumeFrom;
        // Output may hold secrets: the folder is the owner's alone.
        StateFolder.EnsureSubfolder(files.Directory);
        _stdout = new RawStreamTailer(files.RawStdout, resumeFrom.Stdout);
        _stderr = new RawStreamTailer(files.RawStderr, resumeFrom.Stderr);
        _writer = new RotatingLogWriter(files, options.MaxLogBytes, options.KeepRotated, () => _durable = new LogOffsets(_stdout.Offset, _stderr.Offset));
        _lastCommit = time.GetUtcNow();
        _missingFileWait = options.PollInterval;
    }

    /// <summary>The offsets last persisted.</summary>
    public LogOffsets Committed => _committed;

    /// <summary>Why collection is failing now; null while it works.</summary>
    public LogFault? Fault => Volatile.Read(ref _fault);

    /// <summary>Raised when collection starts failing, fails for another reason, or works again (null).</summary>
    public event Action<LogFault?>? FaultChanged;

    /// <summary>Starts collecting in the background until disposed.</summary>
    public void Start() => _loop ??= RunAsync(_stopping.Token);

    /// <summary>
    /// Collects everything written so far and persists the offsets. With <paramref name="processEnded"/> an
    /// unfinished last line is emitted too: its writer is gone, and the next process must start a new line.
    /// Returns false when a fault stopped it (see <see cref="Fault"/>): what is not collected stays in the raw files.
    /// </summary>
    public async Task<bool> DrainAsync(bool processEnded, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            while (CollectPass() > 0)
            {
            }
            if (processEnded)
            {
                _stdout.FlushPending(text => Emit(LogStream.Stdout, text));
                _stderr.FlushPending(text => Emit(LogStream.Stderr, text));
            }
            _writer.Flush();
            CommitOffsets();
            Report(null);
            return true;
        }
        catch (Exception e) when (IsFault(e))
        {
            Report(e);
            CommitOffsets();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var retry = _options.PollInterval;
            while (true)
            {
                await _gate.WaitAsync(cancellationToken);
                var read = 0;
                var failed = false;
                try
                {
                    read = CollectPass();
                    _writer.Flush();
                    if (_time.GetUtcNow() - _lastCommit >= _options.CommitInterval)
                        CommitOffsets();
                    Report(null);
                }
                catch (Exception e) when (IsFault(e))
                {
                    // Nothing is consumed that was not written, so the pass is simply tried again, less often while it fails.
                    Report(e);
                    CommitOffsets();
                    failed = true;
                }
                finally
                {
                    _gate.Release();
                }
                if (failed)
                {
                    await Task.Delay(retry, _time, cancellationToken);
                    retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.MaxRetryInterval.Ticks));
                    continue;
                }
                retry = _options.PollInterval;
                // Keep going without a pause while output is flowing.
                if (read == 0)
                    await WaitForOutputAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Waits until a capture file is written to (told by inotify, so an idle replica costs nothing), or until the
    /// offsets collected last are due to be committed. Without inotify it polls, as it does for a capture file that does
    /// not exist yet (the replica is about to be spawned, or cannot be), less often the longer it is missing.
    /// </summary>
    private Task WaitForOutputAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || WriteNotifications.Shared is not { } notifications)
            return Task.Delay(_options.PollInterval, _time, cancellationToken);
        var watched = Watch(notifications, _stdout, ref _stdoutWatch) & Watch(notifications, _stderr, ref _stderrWatch);
        var wait = _durable == _committed
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks(Math.Max(0, (_lastCommit + _options.CommitInterval - _time.GetUtcNow()).Ticks));
        if (!watched)
        {
            wait = wait == Timeout.InfiniteTimeSpan || _missingFileWait < wait ? _missingFileWait : wait;
            _missingFileWait = TimeSpan.FromTicks(Math.Min(_missingFileWait.Ticks * 2, _options.MaxRetryInterval.Ticks));
        }
        return _written.WaitAsync(wait, _time, cancellationToken);
    }

    /// <summary>Watches the tailer's file once it exists; true while it is watched.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private bool Watch(WriteNotifications notifications, RawStreamTailer tailer, ref IDisposable? watch)
    {
        if (watch is not null)
            return true;
        if (!tailer.TryOpen() || tailer.Handle is not { } handle)
            return false;
        watch = notifications.Watch(handle, _written.Set);
        // What was written before the watch began was heard by no one: one more pass reads it.
        _written.Set();
        return watch is not null;
    }

    /// <summary>What the file system throws when the logs folder or a log file cannot be written (or is no longer the user's alone).</summary>
    private static bool IsFault(Exception e) => e is IOException or UnauthorizedAccessException or StateFolderException;

    /// <summary>Records the outcome of a pass; only a change is raised, so a fault lasting minutes is reported once.</summary>
    private void Report(Exception? failure)
    {
        var before = _fault;
        if (failure is null ? before is null : before?.Reason == failure.Message)
            return;
        var now = failure is null ? null : new LogFault(before?.Since ?? _time.GetUtcNow(), failure.Message);
        Volatile.Write(ref _fault, now);
        FaultChanged?.Invoke(now);
    }

    private int CollectPass() =>
        _stdout.ReadLines(text => Emit(LogStream.Stdout, text), _options.MaxBytesPerPass)
        + _stderr.ReadLines(text => Emit(LogStream.Stderr, text), _options.MaxBytesPerPass);

    private void Emit(LogStream stream, string text)
    {
        var now = _time.GetUtcNow();
        _writer.Append(now, stream, text);
        _onLine?.Invoke(new LogEntry(_files.Service, _files.Replica, now, stream, text));
    }

    private void CommitOffsets()
    {
        _lastCommit = _time.GetUtcNow();
        var offsets = _durable;
        if (offsets == _committed)
            return;
        _commit(offsets);
        _committed = offsets;
        if (_canReclaim)
            _canReclaim = RawSpaceReclaimer.Reclaim(_files.RawStdout, offsets.Stdout) & RawSpaceReclaimer.Reclaim(_files.RawStderr, offsets.Stderr);
    }

    /// <summary>
    /// Stops the loop, collects what is left (an unfinished line stays pending for the next collector) and persists the
    /// offsets. Under a fault what is left stays in the raw files, from the offsets persisted, for the next collector.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
            await _loop;
        await DrainAsync(processEnded: false, CancellationToken.None);
        _stdoutWatch?.Dispose();
        _stderrWatch?.Dispose();
        _stdout.Dispose();
        _stderr.Dispose();
        _writer.Dispose();
        _stopping.Dispose();
        _gate.Dispose();
    }
}
