using System.Runtime.CompilerServices;

namespace Orchestra.Runtime.Logs;

/// <summary>What <c>logs</c> asks for: which replicas, the last <see cref="Tail"/> lines, lines from <see cref="Since"/> on, and whether to follow.</summary>
public sealed record LogQuery(IReadOnlyList<ReplicaLogFiles> Replicas)
{
    public int? Tail { get; init; }
    public DateTimeOffset? Since { get; init; }
    public bool Follow { get; init; }
    /// <summary>How often followed files are checked for new lines.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>
    /// While following, finds the logs there are now (a replica added by <c>scale</c>, a service's first event log):
    /// those not in <see cref="Replicas"/> are followed from their first line.
    /// </summary>
    public Func<IReadOnlyList<ReplicaLogFiles>>? Discover { get; init; }
    /// <summary>
    /// Ends following gracefully once cancelled: what the files hold by then is still read and returned (the last
    /// lines a stopping fleet wrote), unlike the cancellation token, which ends the read where it is.
    /// </summary>
    public CancellationToken Until { get; init; }
}

/// <summary>
/// Reads replicas' collected log files (rotated ones included) and merges them in time order. Lines of one
/// replica keep their file order even if the clock stepped back. It works whether or not a supervisor runs,
/// and only reads, so a slow reader never slows a replica.
/// </summary>
public sealed class LogReader(TimeProvider time)
{
    // A stored line is an output line (at most 64 KiB) plus its prefix, so this never splits one.
    private const int MaxStoredLineBytes = RawStreamTailer.MaxLineBytes * 4 + 64;

    public async IAsyncEnumerable<LogEntry> ReadAsync(LogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sources = query.Replicas.Distinct().ToDictionary(files => files, files => new Source(files));
        try
        {
            // Every source reads its history before the tail is taken: the follow goes on from where each one is.
            var histories = sources.Values.Select(s => s.ReadNew().Where(e => query.Since is not { } since || e.Timestamp >= since).ToList()).ToList();
            var history = Merge(histories);
            foreach (var entry in query.Tail is { } tail ? history.TakeLast(Math.Max(tail, 0)) : history)
                yield return entry;

            while (query.Follow)
            {
                var last = query.Until.IsCancellationRequested;
                if (!last)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, query.Until);
                    await Task.Delay(query.PollInterval, time, wait.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    cancellationToken.ThrowIfCancellationRequested();
                }
                foreach (var files in query.Discover?.Invoke() ?? [])
                    sources.TryAdd(files, new Source(files));
                foreach (var entry in Merge(sources.Values.Select(s => s.ReadNew()).ToList()))
                    yield return entry;
                if (last)
                    yield break;
            }
        }
        finally
        {
            foreach (var source in sources.Values)
                source.Dispose();
        }
    }

    /// <summary>A k-way merge by timestamp; ties go to the earlier source, and each source's order is kept.</summary>
    private static IEnumerable<LogEntry> Merge(IReadOnlyList<IEnumerable<LogEntry>> sources)
    {
        var enumerators = sources.Select(s => s.GetEnumerator()).ToList();
        var heads = new PriorityQueue<int, (DateTimeOffset, int)>();
        for (var i = 0; i < enumerators.Count; i++)
        {
            if (enumerators[i].MoveNext())
                heads.Enqueue(i, (enumerators[i].Current.Timestamp, i));
        }
        while (heads.TryDequeue(out var index, out _))
        {
            var enumerator = enumerators[index];
            yield return enumerator.Current;
            if (enumerator.MoveNext())
                heads.Enqueue(index, (enumerator.Current.Timestamp, index));
        }
        foreach (var enumerator in enumerators)
            enumerator.Dispose();
    }

    /// <summary>
    /// One replica's log, read file by file in the order they were written, from the oldest rotated one on. A file is
    /// followed by identity, not by name: the handle stays on it through its renames, it is read to its end once it
    /// was rotated, and then the next newer one is taken, however many rotations happened in between. Only a file the
    /// writer deleted (more rotations than are kept) before it was opened is missed.
    /// </summary>
    private sealed class Source(ReplicaLogFiles files) : IDisposable
    {
        private readonly string _logName = Path.GetFileName(files.Log);
        private RawStreamTailer? _current;

        /// <summary>The lines written since the last call (at first, all there are).</summary>
        public List<LogEntry> ReadNew()
        {
            var entries = new List<LogEntry>();
            _current ??= new RawStreamTailer(files.LogFilesOldestFirst().FirstOrDefault() ?? files.Log, 0, MaxStoredLineBytes);
            while (true)
            {
                ReadAll(_current, entries);
                if (OpenNewer(_current) is not { } newer)
                    return entries;
                // Renamed after the read above: what was written before the rename is still to be read.
                ReadAll(_current, entries);
                _current.FlushPending(line => Add(entries, line));
                _current.Dispose();
                _current = newer;
            }
        }

        /// <summary>The file written after the one <paramref name="tailer"/> reads, once that one was rotated away and the newer one exists.</summary>
        private RawStreamTailer? OpenNewer(RawStreamTailer tailer)
        {
            while (true)
            {
                var generation = Generation(tailer);
                if (generation == 0)
                    return null;
                var path = generation switch
                {
                    1 => files.Log,
                    > 1 => files.Rotated(generation.Value - 1),
                    // Deleted: whatever is left is newer, the oldest first.
                    _ => files.LogFilesOldestFirst().FirstOrDefault() ?? files.Log,
                };
                var newer = new RawStreamTailer(path, 0, MaxStoredLineBytes);
                // Rotations rename from the oldest down, so while this file kept its name the one opened is its successor.
                if (newer.TryOpen() && Generation(tailer) == generation)
                    return newer;
                var exists = File.Exists(path);
                newer.Dispose();
                if (!exists)
                    return null;
            }
        }

        /// <summary>0 while the file is the current log (or cannot be told), n once it is the nth rotated one, null once deleted.</summary>
        private int? Generation(RawStreamTailer tailer)
        {
            if (tailer.CurrentName is not { } name || name == _logName)
                return 0;
            return name.StartsWith(_logName + ".", StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(_logName.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var generation)
                ? generation
                : null;
        }

        private void ReadAll(RawStreamTailer tailer, List<LogEntry> into)
        {
            while (tailer.ReadLines(line => Add(into, line), int.MaxValue) > 0)
            {
            }
        }

        private void Add(List<LogEntry> into, string line)
        {
            if (LogLineFormat.Parse(files.Service, files.Replica, line) is { } entry)
                into.Add(entry);
        }

        public void Dispose() => _current?.Dispose();
    }
}
