using System.Globalization;
using System.Text;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Logs;

public sealed class LogCollectorTests : IDisposable
{
    private readonly RunnerWorkspace _workspace = new();
    private readonly List<LogOffsets> _commits = [];

    private LogCollector Collector(ReplicaLogFiles files, LogOffsets? from = null, LogCollectorOptions? options = null) =>
        new(files, from ?? LogOffsets.Start, options ?? new LogCollectorOptions(), TimeProvider.System, o => { lock (_commits) _commits.Add(o); });

    private static List<LogEntry> ReadLog(ReplicaLogFiles files) =>
        files.LogFilesOldestFirst().SelectMany(File.ReadLines).Select(l => LogLineFormat.Parse(files.Service, files.Replica, l)
            ?? throw new InvalidDataException($"Malformed log line: {l[..Math.Min(l.Length, 80)]}")).ToList();

    [Fact]
    public async Task Two_hundred_thousand_fast_lines_and_a_100_KB_line_are_all_collected_in_order()
    {
        var script = _workspace.Script("printer",
            "seq 1 100000\nhead -c 102400 /dev/zero | tr '\\0' x\necho\nseq 100001 200000\nseq 1 1000 >&2\nyes | head -n 3 >&2");
        var files = _workspace.Files("fast");
        await using var collector = Collector(files);
        collector.Start();

        var process = _workspace.SpawnScript("fast", script);
        Assert.True((await _workspace.ExitAsync(process)).IsSuccess);
        await collector.DrainAsync(processEnded: true, CancellationToken.None);

        var log = ReadLog(files);
        var stdout = log.Where(e => e.Stream == LogStream.Stdout).Select(e => e.Text).ToList();
        var expected = Enumerable.Range(1, 100000).Select(Number)
            .Append(new string('x', 65536)).Append(new string('x', 102400 - 65536))
            .Concat(Enumerable.Range(100001, 100000).Select(Number));
        Assert.Equal(expected, stdout);
        var stderr = log.Where(e => e.Stream == LogStream.Stderr).Select(e => e.Text);
        Assert.Equal(Enumerable.Range(1, 1000).Select(Number).Concat(["y", "y", "y"]), stderr);
        Assert.Equal(new LogOffsets(new FileInfo(files.RawStdout).Length, new FileInfo(files.RawStderr).Length), collector.Committed);
    }

    [Fact]
    public async Task An_idle_collector_is_woken_by_a_write_and_commits_its_offsets_without_polling()
    {
        // Polling once an hour: each line can only have been collected because the write woke the collector, and the
        // commit made because it came due, though nothing more was written.
        var options = new LogCollectorOptions { PollInterval = TimeSpan.FromHours(1), CommitInterval = TimeSpan.FromMilliseconds(200) };
        var files = _workspace.Files("quiet");
        var gate = Path.Combine(_workspace.Root, "gate");
        var script = _workspace.Script("quiet", $"echo first\nwhile [ ! -e {gate} ]; do sleep 0.01; done\necho second\nexec sleep 30");
        var process = _workspace.SpawnScript("quiet", script);
        await using var collector = Collector(files, options: options);
        collector.Start();

        await Eventually.TrueAsync(() => ReadLog(files).Select(e => e.Text).SequenceEqual(["first"]), "the first line collected");
        File.WriteAllText(gate, "");
        await Eventually.TrueAsync(() => ReadLog(files).Select(e => e.Text).SequenceEqual(["first", "second"]), "the second line collected");
        await Eventually.TrueAsync(() => collector.Committed == new LogOffsets(13, 0), "both lines' offsets committed");
        _workspace.Host.SignalGroup(process, Orchestra.Runtime.Processes.StopSignals.Kill);
    }

    [Fact]
    public async Task A_new_collector_resumes_exactly_where_the_last_one_stopped()
    {
        var files = _workspace.Files("api");
        File.WriteAllText(files.RawStdout, "a1\na2\npart");
        File.WriteAllText(files.RawStderr, "e1\n");
        var first = Collector(files);
        await first.DrainAsync(processEnded: false, CancellationToken.None);
        await first.DisposeAsync();
        var offsets = first.Committed;
        Assert.Equal(new LogOffsets(6, 3), offsets);

        File.AppendAllText(files.RawStdout, "ial\na3\n");
        File.AppendAllText(files.RawStderr, "e2\n");
        await using var second = Collector(files, offsets);
        await second.DrainAsync(processEnded: false, CancellationToken.None);

        var log = ReadLog(files);
        Assert.Equal(["a1", "a2", "partial", "a3"], log.Where(e => e.Stream == LogStream.Stdout).Select(e => e.Text));
        Assert.Equal(["e1", "e2"], log.Where(e => e.Stream == LogStream.Stderr).Select(e => e.Text));
        Assert.Contains(offsets, _commits);
    }

    [Fact]
    public async Task A_capture_file_shorter_than_its_offset_is_read_from_the_start()
    {
        var files = _workspace.Files("api");
        File.WriteAllText(files.RawStdout, "fresh\n");
        await using var collector = Collector(files, new LogOffsets(1000, 0));

        await collector.DrainAsync(processEnded: false, CancellationToken.None);

        Assert.Equal(["fresh"], ReadLog(files).Select(e => e.Text));
        Assert.Equal(6, collector.Committed.Stdout);
    }

    [Fact]
    public async Task An_unfinished_last_line_is_kept_when_its_process_ended()
    {
        var files = _workspace.Files("api");
        File.WriteAllText(files.RawStdout, "done\r\nno newline");
        await using var collector = Collector(files);

        await collector.DrainAsync(processEnded: true, CancellationToken.None);

        Assert.Equal(["done", "no newline"], ReadLog(files).Select(e => e.Text));
        Assert.Equal(new FileInfo(files.RawStdout).Length, collector.Committed.Stdout);
    }

    [Fact]
    public async Task A_long_line_of_multibyte_characters_is_split_on_character_boundaries()
    {
        var files = _workspace.Files("api");
        var line = string.Concat(Enumerable.Repeat("é€😀", 20000));
        File.WriteAllText(files.RawStdout, line + "\nnext\n", new UTF8Encoding(false));
        await using var collector = Collector(files);

        await collector.DrainAsync(processEnded: false, CancellationToken.None);

        var texts = ReadLog(files).Select(e => e.Text).ToList();
        Assert.True(texts.Count > 3);
        Assert.All(texts, t => Assert.DoesNotContain('\uFFFD', t));
        Assert.All(texts, t => Assert.True(Encoding.UTF8.GetByteCount(t) <= 65536));
        Assert.Equal(line, string.Concat(texts.SkipLast(1)));
        Assert.Equal("next", texts[^1]);
    }

    [Fact]
    public async Task The_log_rotates_by_size_keeping_the_configured_number_of_files()
    {
        var files = _workspace.Files("api");
        File.WriteAllText(files.RawStdout, string.Concat(Enumerable.Range(1, 200).Select(i => $"line {i}\n")));
        await using var collector = Collector(files, options: new LogCollectorOptions { MaxLogBytes = 1000, KeepRotated = 2 });

        await collector.DrainAsync(processEnded: false, CancellationToken.None);

        Assert.True(File.Exists(files.Rotated(1)));
        Assert.True(File.Exists(files.Rotated(2)));
        Assert.False(File.Exists(files.Rotated(3)));
        Assert.All(files.LogFilesOldestFirst(), f => Assert.True(new FileInfo(f).Length <= 1000));
        var kept = ReadLog(files).Select(e => int.Parse(e.Text[5..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(kept[0], 201 - kept[0]), kept);
    }

    [Fact]
    public async Task Collected_raw_bytes_are_punched_out_of_the_capture_file_keeping_its_size()
    {
        var files = _workspace.Files("api");
        File.WriteAllText(files.RawStdout, string.Concat(Enumerable.Repeat(new string('z', 99) + "\n", 10000)));
        await using var collector = Collector(files);

        await collector.DrainAsync(processEnded: false, CancellationToken.None);

        Assert.Equal(1_000_000, new FileInfo(files.RawStdout).Length);
        Assert.Equal(1_000_000 / 4096 * 4096, RawSpaceReclaimer.FirstData(files.RawStdout));
        Assert.Equal(10000, ReadLog(files).Count);
    }

    [Fact]
    public async Task A_fault_while_rotating_is_retried_and_reported_and_no_line_is_lost_or_doubled()
    {
        var files = _workspace.Files("api");
        // A directory where the rotated log must go: every rotation fails until it is removed.
        Directory.CreateDirectory(files.Rotated(1));
        File.WriteAllText(files.RawStdout, string.Concat(Enumerable.Range(1, 200).Select(i => $"line {i}\n")));
        var reports = new List<LogFault?>();
        await using var collector = Collector(files, options: new LogCollectorOptions
        {
            MaxLogBytes = 1000, KeepRotated = 100, MaxRetryInterval = TimeSpan.FromMilliseconds(50),
        });
        collector.FaultChanged += fault => { lock (reports) reports.Add(fault); };
        collector.Start();

        var fault = await Eventually.ValueAsync(() => collector.Fault, "the fault to be reported");
        Assert.Contains(files.Rotated(1), fault.Reason);
        File.AppendAllText(files.RawStdout, string.Concat(Enumerable.Range(201, 200).Select(i => $"line {i}\n")));
        Assert.False(await collector.DrainAsync(processEnded: false, CancellationToken.None));
        Directory.Delete(files.Rotated(1));

        await Eventually.TrueAsync(() => collector.Fault is null, "collection to work again");
        Assert.True(await collector.DrainAsync(processEnded: false, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 400).Select(i => $"line {i}"), ReadLog(files).Select(e => e.Text));
        Assert.Equal(new FileInfo(files.RawStdout).Length, collector.Committed.Stdout);
        lock (reports)
            Assert.Equal([fault, null], reports);
    }

    private static string Number(int i) => i.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _workspace.Dispose();
}
