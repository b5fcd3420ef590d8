using System.Buffers;
using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestra.Runtime.Logs;
using Orchestra.Vendors.Engine;

namespace Orchestra.Vendors.Containers;

/// <summary>
/// Collects a container's output into its log under <c>.orchestra/logs/</c>, in the replica log format, so that it
/// survives the container and <c>logs</c> merges it with the services'. The engine's log stream is followed with
/// timestamps (the container's, not the time of reading) and ends when the container stops.
/// <para>
/// What was collected is told as the time of the last line written (<paramref name="collected"/>), which the state
/// records: a later pump (the container restarted, or adopted by the next supervisor) resumes after it. A pump that
/// ran to the container's end took everything, so a restart's pump repeats and misses nothing. A pump cut in the middle
/// (a supervisor killed, or handing over) leaves one narrow seam: the engine sends stdout and stderr as it copies
/// them, so a line of one stream stamped a moment before the last line written, and not sent yet, would be skipped.
/// </para>
/// <para>
/// Each line written is also handed to <paramref name="observe"/> when given: a log health probe sees the container's
/// lines as it sees a process's.
/// </para>
/// </summary>
public sealed class ContainerLogPump(DockerEngine engine, string containerId, ReplicaLogFiles files, DateTimeOffset? after,
    LogCollectorOptions options, TimeProvider time, Action<DateTimeOffset> collected, Action<LogEntry>? observe = null) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>Starts following; <see cref="Completion"/> ends once the container stopped and everything it printed is in the log.</summary>
    public void Start() => _loop ??= RunAsync(_stopping.Token);

    public Task Completion => _loop ?? Task.CompletedTask;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var writer = new RotatingLogWriter(files, options.MaxLogBytes, options.KeepRotated, () => { });
        var last = after;
        var committedAt = time.GetUtcNow();
        var committed = last;
        try
        {
            var lines = await ReadAsync(follow: true, after);
            // A follow stream can end as the container stops before the engine has logged its last message (a line
            // without a newline, seen on a loaded machine): one more read, not following, takes everything after the
            // last line written, the unfinished lines of the first read included. A container being removed has no
            // log left to read: the first read's unfinished lines are then all there is.
            try
            {
                lines = await ReadAsync(follow: false, last);
            }
            catch (Exception e) when (IsGone(e))
            {
            }
            foreach (var splitter in lines)
            {
                if (splitter.Rest() is { } rest && (last is null || rest.Timestamp > last))
                    Write(rest.Timestamp, splitter.Stream, rest.Text);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (IsGone(e))
        {
            // Removed under us: what it printed before is collected.
        }
        Commit();

        // Reads the container's log after `from` (all of it without), writes each whole line, and hands back the
        // splitters with what is left unfinished.
        async Task<LineSplitter[]> ReadAsync(bool follow, DateTimeOffset? from)
        {
            // The engine's `since` takes the line stamped at that time too: a tick later, the last line collected stays out.
            var parameters = new ContainerLogsParameters { Follow = follow, ShowStdout = true, ShowStderr = true, Timestamps = true, Since = from is { } since ? UnixTime(since.AddTicks(1)) : null };
            using var stream = await engine.Client.Containers.GetContainerLogsAsync(containerId, parameters, cancellationToken);
            var lines = new[] { new LineSplitter(LogStream.Stdout, time), new LineSplitter(LogStream.Stderr, time) };
            var buffer = new byte[81920];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                if (read.EOF)
                    return lines;
                var splitter = lines[read.Target == MultiplexedStream.TargetStream.StandardError ? 1 : 0];
                foreach (var (timestamp, text) in splitter.Add(buffer.AsSpan(0, read.Count)))
                {
                    if (timestamp <= from)
                        continue;
                    Write(timestamp, splitter.Stream, text);
                }
                // Written at once, so that `logs` sees a quiet container's last lines; what was collected is told
                // at most once per commit interval (each tells the state file).
                writer.Flush();
                if (time.GetUtcNow() - committedAt >= options.CommitInterval)
                    Commit();
            }
        }

        void Write(DateTimeOffset timestamp, LogStream stream, string text)
        {
            writer.Append(timestamp, stream, text);
            last = last > timestamp ? last : timestamp;
            observe?.Invoke(new LogEntry(files.Service, files.Replica, timestamp, stream, text));
        }

        void Commit()
        {
            writer.Flush();
            committedAt = time.GetUtcNow();
            if (last is { } until && until != committed)
            {
                committed = until;
                collected(until);
            }
        }
    }

    /// <summary>Whether the engine says the container is gone or going (removed; dead or marked for removal).</summary>
    private static bool IsGone(Exception e) =>
        e is DockerContainerNotFoundException or DockerApiException { StatusCode: System.Net.HttpStatusCode.Conflict };

    /// <summary>Docker's <c>since</c>: seconds since the epoch, with the nanoseconds.</summary>
    private static string UnixTime(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}");
    }

    /// <summary>Stops following; what was read is written first.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
            await _loop;
        _stopping.Dispose();
    }

    /// <summary>
    /// Cuts one stream's bytes into timestamped lines. Each log message of the engine starts with its time and a space,
    /// and ends with a newline, or, for a line longer than the engine's 16 KiB, after exactly 16 KiB: the next message
    /// then goes on with the same line, and the line keeps its first time. Reads need not follow messages; bytes are
    /// counted, and a line is decoded whole, so a character cut between pieces comes back whole.
    /// </summary>
    private sealed class LineSplitter(LogStream stream, TimeProvider time)
    {
        // The size of the pieces the engine cuts a long line into, and more than any time stamp takes.
        private const int PieceBytes = 16 * 1024;
        private const int MaxStampBytes = 64;

        private static readonly UTF8Encoding Utf8 = new(false);
        private readonly ArrayBufferWriter<byte> _stamp = new(MaxStampBytes);
        private readonly ArrayBufferWriter<byte> _line = new();
        private bool _inStamp = true;
        private int _messageBytes;
        private DateTimeOffset _lineTime;

        public LogStream Stream => stream;

        public List<(DateTimeOffset Timestamp, string Text)> Add(ReadOnlySpan<byte> bytes)
        {
            var lines = new List<(DateTimeOffset, string)>();
            while (bytes.Length > 0)
            {
                if (_inStamp)
                {
                    var space = bytes.IndexOf((byte)' ');
                    var take = space < 0 ? bytes.Length : space;
                    _stamp.Write(bytes[..take]);
                    bytes = bytes[(space < 0 ? take : take + 1)..];
                    if (space < 0 && _stamp.WrittenCount < MaxStampBytes)
                        break;
                    if (_line.WrittenCount == 0)
                        _lineTime = ParseTime(Encoding.ASCII.GetString(_stamp.WrittenSpan)) ?? time.GetUtcNow();
                    _stamp.ResetWrittenCount();
                    (_inStamp, _messageBytes) = (false, 0);
                    continue;
                }
                var piece = bytes[..Math.Min(bytes.Length, PieceBytes - _messageBytes)];
                var newline = piece.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    _line.Write(piece[..newline]);
                    lines.Add(TakeLine());
                    bytes = bytes[(newline + 1)..];
                    _inStamp = true;
                    continue;
                }
                _line.Write(piece);
                _messageBytes += piece.Length;
                bytes = bytes[piece.Length..];
                // A piece of a long line ends here; the next message goes on with it.
                _inStamp = _messageBytes == PieceBytes;
            }
            return lines;
        }

        /// <summary>A last line without its newline, once the stream ended.</summary>
        public (DateTimeOffset Timestamp, string Text)? Rest() => _line.WrittenCount == 0 ? null : TakeLine();

        private (DateTimeOffset, string) TakeLine()
        {
            var line = (_lineTime, Utf8.GetString(_line.WrittenSpan).TrimEnd('\r'));
            _line.ResetWrittenCount();
            return line;
        }

        /// <summary>The engine's RFC 3339 time (<c>2026-11-26T16:19:09.336258104Z</c>), nanoseconds cut to .NET's ticks.</summary>
        private static DateTimeOffset? ParseTime(string stamp)
        {
            var dot = stamp.IndexOf('.');
            var trimmed = dot > 0 && stamp.Length - dot - 2 > 7 ? string.Concat(stamp.AsSpan(0, dot + 8), "Z") : stamp;
            return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        }
    }
}
