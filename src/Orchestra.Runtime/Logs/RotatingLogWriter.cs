using System.Text;
using Orchestra.State;

namespace Orchestra.Runtime.Logs;

/// <summary>Appends formatted lines to a replica's log file, rotating it by size: <c>svc.0.log</c> → <c>.log.1</c> → … → <c>.log.N</c>, the oldest dropped.</summary>
internal sealed class RotatingLogWriter(ReplicaLogFiles files, long maxBytes, int keep) : IDisposable
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);
    private StreamWriter? _writer;
    private long _size;
    private long _stampMillisecond = -1;
    private string _stamp = "";

    /// <summary>
    /// Writes <c>LogLineFormat.Format(timestamp, stream, text)</c> and a newline, piece by piece: a fast printer's
    /// lines share their millisecond, so the timestamp is formatted once per millisecond, and no line string is
    /// built just to be copied into the buffer (this path bounds the log throughput, see bench/log-throughput.sh).
    /// </summary>
    public void Append(DateTimeOffset timestamp, LogStream stream, string text)
    {
        var millisecond = timestamp.UtcTicks / TimeSpan.TicksPerMillisecond;
        if (millisecond != _stampMillisecond)
        {
            _stampMillisecond = millisecond;
            _stamp = LogLineFormat.FormatTimestamp(timestamp);
        }
        // The timestamp is ASCII: one byte per character; then " O " and the text, then the newline.
        var bytes = _stamp.Length + 3 + Utf8.GetByteCount(text) + 1;
        if (_size > 0 && _size + bytes > maxBytes)
            Rotate();
        var writer = Writer();
        writer.Write(_stamp);
        writer.Write(' ');
        writer.Write(LogLineFormat.Letter(stream));
        writer.Write(' ');
        writer.Write(text);
        writer.Write('\n');
        _size += bytes;
    }

    /// <summary>Makes what was appended visible to readers; called once per collected batch, not per line.</summary>
    public void Flush()
    {
        if (_writer is null)
            return;
        _writer.Flush();
        // The log was deleted (rm -rf .orchestra): the next line starts a new file rather than feed a name nobody sees.
        if (!File.Exists(files.Log))
        {
            _writer.Dispose();
            _writer = null;
            _size = 0;
        }
    }

    private StreamWriter Writer()
    {
        if (_writer is not null)
            return _writer;
        StateFolder.EnsureSubfolder(files.Directory);
        var options = new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        };
        // Output may hold secrets: owner-only, like the raw capture files.
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var stream = new FileStream(files.Log, options);
        _size = stream.Length;
        _writer = new StreamWriter(stream, Utf8, 1 << 16);
        return _writer;
    }

    private void Rotate()
    {
        _writer?.Dispose();
        _writer = null;
        File.Delete(files.Rotated(keep));
        for (var generation = keep - 1; generation >= 1; generation--)
        {
            if (File.Exists(files.Rotated(generation)))
                File.Move(files.Rotated(generation), files.Rotated(generation + 1), overwrite: true);
        }
        if (keep > 0)
            File.Move(files.Log, files.Rotated(1), overwrite: true);
        else
            File.Delete(files.Log);
        _size = 0;
    }

    public void Dispose() => _writer?.Dispose();
}
