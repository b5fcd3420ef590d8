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
        var sources = query.Replicas.Select(files => new Source(files)).ToList();
        try
        {
            var history = Merge(sources.Select(s => s.ReadHistory().Where(e => query.Since is not { } since || e.Timestamp >= since)));
            foreach (var entry in query.Tail is { } tail ? history.TakeLast(Math.Max(tail, 0)) : history)
                yield return entry;

            while (query.Follow)
            {
                await Task.Delay(query.PollInterval, time, cancellationToken);
                foreach (var entry in Merge(sources.Select(s => s.ReadNew())))
                    yield return entry;
            }
        }
        finally
        {
            foreach (var source in sources)
                source.Dispose();
        }
    }

    /// <summary>A k-way merge by timestamp; ties go to the earlier source, and each source's order is kept.</summary>
    private static IEnumerable<LogEntry> Merge(IEnumerable<IEnumerable<LogEntry>> sources)
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

    /// <summary>One replica's log: its rotated files read once, then its current file followed across rotations.</summary>
    private sealed class Source(ReplicaLogFiles files) : IDisposable
    {
        private RawStreamTailer? _current;

        public IEnumerable<LogEntry> ReadHistory()
        {
            var entries = new List<LogEntry>();
            foreach (var path in files.LogFilesOldestFirst().Where(p => p != files.Log))
            {
                using var rotated = new RawStreamTailer(path, 0, MaxStoredLineBytes);
                ReadAll(rotated, entries);
                rotated.FlushPending(line => Add(entries, line));
            }
            _current = new RawStreamTailer(files.Log, 0, MaxStoredLineBytes);
            ReadAll(_current, entries);
            return entries;
        }

        public IEnumerable<LogEntry> ReadNew()
        {
            var entries = new List<LogEntry>();
            if (_current is null)
                return entries;
            ReadAll(_current, entries);
            if (_current.WasReplaced)
            {
                // Finish the rotated file through the handle still open on it, then start on the new one.
                ReadAll(_current, entries);
                _current.FlushPending(line => Add(entries, line));
                _current.Dispose();
                _current = new RawStreamTailer(files.Log, 0, MaxStoredLineBytes);
                ReadAll(_current, entries);
            }
            return entries;
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
