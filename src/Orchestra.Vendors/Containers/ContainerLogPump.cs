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
/// records: a later pump (the container restarted, or adopted by the next supervisor) resumes after it. Lines
/// stamped with exactly that time may be collected twice; none is lost.
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
            var parameters = new ContainerLogsParameters { Follow = true, ShowStdout = true, ShowStderr = true, Timestamps = true, Since = after is { } since ? UnixTime(since) : null };
            using var stream = await engine.Client.Containers.GetContainerLogsAsync(containerId, parameters, cancellationToken);
            var lines = new[] { new LineSplitter(LogStream.Stdout), new LineSplitter(LogStream.Stderr) };
            var buffer = new byte[81920];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                if (read.EOF)
                    break;
                var splitter = lines[read.Target == MultiplexedStream.TargetStream.StandardError ? 1 : 0];
                foreach (var (timestamp, text) in splitter.Add(buffer.AsSpan(0, read.Count)))
                {
                    if (timestamp <= after)
                        continue;
                    Write(timestamp, splitter.Stream, text);
                }
                // Written at once, so that `logs` sees a quiet container's last lines; what was collected is told
                // at most once per commit interval (each tells the state file).
                writer.Flush();
                if (time.GetUtcNow() - committedAt >= options.CommitInterval)
                    Commit();
            }
            foreach (var splitter in lines)
            {
                if (splitter.Rest() is { } rest && rest.Timestamp > after)
                    Write(rest.Timestamp, splitter.Stream, rest.Text);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (DockerContainerNotFoundException)
        {
            // Removed under us: what it printed before is collected.
        }
        Commit();

        void Write(DateTimeOffset timestamp, LogStream stream, string text)
        {
            writer.Append(timestamp, stream, text);
            last = timestamp;
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

    /// <summary>Cuts one stream's bytes into timestamped lines; a line may arrive in pieces, and so may a character.</summary>
    private sealed class LineSplitter(LogStream stream)
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
        private readonly StringBuilder _pending = new();

        public LogStream Stream => stream;

        public IEnumerable<(DateTimeOffset Timestamp, string Text)> Add(ReadOnlySpan<byte> bytes)
        {
            var chars = new char[_decoder.GetCharCount(bytes, flush: false)];
            _decoder.GetChars(bytes, chars, flush: false);
            _pending.Append(chars);
            var found = new List<(DateTimeOffset, string)>();
            var text = _pending.ToString();
            var start = 0;
            for (var newline = text.IndexOf('\n'); newline >= 0; newline = text.IndexOf('\n', start))
            {
                found.Add(Parse(text.AsSpan(start, newline - start).TrimEnd('\r')));
                start = newline + 1;
            }
            _pending.Remove(0, start);
            return found;
        }

        public (DateTimeOffset Timestamp, string Text)? Rest() => _pending.Length == 0 ? null : Parse(_pending.ToString());

        /// <summary><c>2026-11-26T16:19:09.336258104Z text</c>: the engine's RFC 3339 time (nanoseconds cut to .NET's ticks), a space, the line.</summary>
        private static (DateTimeOffset, string) Parse(ReadOnlySpan<char> line)
        {
            var space = line.IndexOf(' ');
            var stamp = space > 0 ? line[..space] : line;
            var dot = stamp.IndexOf('.');
            var trimmed = dot > 0 && stamp.Length - dot - 2 > 7 ? string.Concat(stamp[..(dot + 8)], "Z") : stamp.ToString();
            return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp)
                ? (timestamp, space > 0 ? line[(space + 1)..].ToString() : "")
                : (DateTimeOffset.UtcNow, line.ToString());
        }
    }
}
