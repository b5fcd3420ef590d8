using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Logs;

public sealed class LogReaderTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly RunnerWorkspace _workspace = new();
    private readonly LogReader _reader = new(TimeProvider.System);

    private void Write(ReplicaLogFiles files, params (int Seconds, LogStream Stream, string Text)[] lines) =>
        File.AppendAllLines(files.Log, lines.Select(l => LogLineFormat.Format(T0.AddSeconds(l.Seconds), l.Stream, l.Text)));

    private async Task<List<string>> Read(LogQuery query)
    {
        var result = new List<string>();
        await foreach (var entry in _reader.ReadAsync(query))
            result.Add($"{entry.Service}.{ReplicaLogFiles.SourceNameOf(entry.Replica)} {(entry.Stream == LogStream.Stdout ? 'O' : 'E')} {entry.Text}");
        return result;
    }

    [Fact]
    public async Task Replicas_are_merged_in_time_order_with_tail_and_since()
    {
        var api = _workspace.Files("api");
        var web = _workspace.Files("web", 1);
        Write(api, (1, LogStream.Stdout, "a1"), (3, LogStream.Stderr, "a3"), (5, LogStream.Stdout, "a5"));
        Write(web, (2, LogStream.Stdout, "w2"), (3, LogStream.Stdout, "w3"), (4, LogStream.Stdout, "w4"));
        File.AppendAllText(web.Log, "not a log line\n");
        var both = ReplicaLogFiles.FindAll(_workspace.LogDirectory);
        Assert.Equal([api, web], both);

        Assert.Equal(["api.0 O a1", "web.1 O w2", "api.0 E a3", "web.1 O w3", "web.1 O w4", "api.0 O a5"], await Read(new LogQuery(both)));
        Assert.Equal(["web.1 O w4", "api.0 O a5"], await Read(new LogQuery(both) { Tail = 2 }));
        Assert.Equal(["web.1 O w4", "api.0 O a5"], await Read(new LogQuery(both) { Since = T0.AddSeconds(4) }));
        Assert.Empty(await Read(new LogQuery([_workspace.Files("missing")])));
    }

    [Fact]
    public async Task A_service_event_log_is_found_beside_its_replicas_and_merged_with_them()
    {
        var api = _workspace.Files("api");
        var events = ReplicaLogFiles.EventsOf(_workspace.LogDirectory, "api");
        Directory.CreateDirectory(_workspace.LogDirectory);
        Write(api, (1, LogStream.Stdout, "serving"), (3, LogStream.Stdout, "still serving"));
        Write(events, (2, LogStream.Stderr, "the build failed"));

        var found = ReplicaLogFiles.FindAll(_workspace.LogDirectory);

        Assert.Equal([events, api], found);
        Assert.Equal(Path.Combine(_workspace.LogDirectory, "api.orchestra.log"), events.Log);
        Assert.Equal("orchestra", found[0].SourceName);
        Assert.Equal(["api.0 O serving", "api.orchestra E the build failed", "api.0 O still serving"], await Read(new LogQuery(found)));
    }

    [Fact]
    public async Task Lines_of_one_replica_keep_their_order_when_the_clock_steps_back()
    {
        var api = _workspace.Files("api");
        Write(api, (5, LogStream.Stdout, "first"), (1, LogStream.Stdout, "second"));
        Assert.Equal(["api.0 O first", "api.0 O second"], await Read(new LogQuery([api])));
    }

    [Fact]
    public async Task Following_sees_new_lines_across_a_rotation()
    {
        var api = _workspace.Files("api");
        Write(api, (1, LogStream.Stdout, "old"));
        using var cancel = new CancellationTokenSource();
        await using var entries = _reader.ReadAsync(new LogQuery([api]) { Follow = true, PollInterval = TimeSpan.FromMilliseconds(10) }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        Assert.True(await entries.MoveNextAsync().AsTask().WithDeadline());
        Assert.Equal("old", entries.Current.Text);

        Write(api, (2, LogStream.Stdout, "before rotation"));
        File.Move(api.Log, api.Rotated(1));
        Write(api, (3, LogStream.Stderr, "after rotation"));

        var seen = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await entries.MoveNextAsync().AsTask().WithDeadline());
            seen.Add(entries.Current.Text);
        }
        Assert.Equal(["before rotation", "after rotation"], seen);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await entries.MoveNextAsync());
    }

    [Fact]
    public async Task Following_reads_every_file_when_several_rotations_happen_between_two_reads()
    {
        var api = _workspace.Files("api");
        var options = new LogCollectorOptions { MaxLogBytes = 1000, KeepRotated = 50 };
        await using var collector = new LogCollector(api, LogOffsets.Start, options, TimeProvider.System, _ => { });
        File.WriteAllText(api.RawStdout, "line 0\n");
        await collector.DrainAsync(processEnded: false, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        await using var entries = _reader.ReadAsync(new LogQuery([api]) { Follow = true, PollInterval = TimeSpan.FromMilliseconds(10) }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        Assert.True(await entries.MoveNextAsync().AsTask().WithDeadline());

        // About 30 lines fit in a file: the file the follower has open is rotated seven times before it reads again.
        File.AppendAllText(api.RawStdout, string.Concat(Enumerable.Range(1, 200).Select(i => $"line {i}\n")));
        await collector.DrainAsync(processEnded: false, CancellationToken.None);
        Assert.True(File.Exists(api.Rotated(7)));

        var seen = new List<string>();
        while (seen.LastOrDefault() != "line 200")
        {
            Assert.True(await entries.MoveNextAsync().AsTask().WithDeadline());
            seen.Add(entries.Current.Text);
        }
        Assert.Equal(Enumerable.Range(1, 200).Select(i => $"line {i}"), seen);
    }

    [Fact]
    public async Task Following_with_no_history_prints_nothing_old_and_then_every_new_line()
    {
        var api = _workspace.Files("api");
        Write(api, (1, LogStream.Stdout, "old"));
        using var cancel = new CancellationTokenSource();
        await using var entries = _reader.ReadAsync(new LogQuery([api]) { Follow = true, Tail = 0, PollInterval = TimeSpan.FromMilliseconds(10) }, cancel.Token)
            .GetAsyncEnumerator(cancel.Token);
        var next = entries.MoveNextAsync().AsTask();

        Write(api, (2, LogStream.Stdout, "new"));

        Assert.True(await next.WithDeadline());
        Assert.Equal("new", entries.Current.Text);
    }

    [Fact]
    public async Task Following_picks_up_logs_created_after_it_started()
    {
        var api = _workspace.Files("api");
        Write(api, (1, LogStream.Stdout, "replica 0"));
        var query = new LogQuery(ReplicaLogFiles.FindAll(_workspace.LogDirectory))
        {
            Follow = true, PollInterval = TimeSpan.FromMilliseconds(10), Discover = () => ReplicaLogFiles.FindAll(_workspace.LogDirectory),
        };
        using var cancel = new CancellationTokenSource();
        await using var entries = _reader.ReadAsync(query, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await entries.MoveNextAsync().AsTask().WithDeadline());

        Write(_workspace.Files("api", 1), (2, LogStream.Stdout, "replica 1"));
        Write(ReplicaLogFiles.EventsOf(_workspace.LogDirectory, "api"), (3, LogStream.Stderr, "the build failed"));

        var seen = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await entries.MoveNextAsync().AsTask().WithDeadline());
            seen.Add($"{ReplicaLogFiles.SourceNameOf(entries.Current.Replica)} {entries.Current.Text}");
        }
        Assert.Equal(["1 replica 1", "orchestra the build failed"], seen.Order(StringComparer.Ordinal));
    }

    public void Dispose() => _workspace.Dispose();
}
