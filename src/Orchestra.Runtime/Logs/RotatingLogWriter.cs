using System.Buffers;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Orchestra.State;

namespace Orchestra.Runtime.Logs;

/// <summary>
/// Appends formatted lines to a replica's log file, rotating it by size: <c>svc.0.log</c> → <c>.log.1</c> → … →
/// <c>.log.N</c>, the oldest dropped.
/// <para>
/// Every call either takes its line or throws having changed nothing a retry would repeat, so a fault (a full disk,
/// an immutable folder) delays lines but never loses or doubles one. Lines wait in a buffer the writer keeps through a
/// failed write, and are written at the offset the file had before, so a partly written buffer is overwritten by
/// the retry rather than torn. A rotation cut short is finished by the next one without dropping a generation.
/// </para>
/// </summary>
/// <param name="written">Called whenever every line appended so far is in the file: what was consumed up to then is safe to persist.</param>
public sealed class RotatingLogWriter(ReplicaLogFiles files, long maxBytes, int keep, Action written) : IDisposable
{
    // Lines are written in batches of about this much; a failed batch waits here for the retry.
    private const int BatchBytes = 64 * 1024;

    private static readonly Encoding Utf8 = new UTF8Encoding(false);
    // Grown as lines come rather than sized for a full batch up front: the supervisor keeps a writer per replica, and
    // 128 KiB each held for good was 3 MiB of its memory with 20 replicas that mostly print nothing.
    private readonly ArrayBufferWriter<byte> _batch = new();
    // Written at explicit offsets (never appended), so that a batch retried after a failed write lands where it was meant to.
    private FileStream? _file;
    // Bytes in the open file (or in the file at the log's name when none is open): where the next batch goes.
    private long _size;
    private long _stampMillisecond = -1;
    private string _stamp = "";

    /// <summary>
    /// Adds <c>LogLineFormat.Format(timestamp, stream, text)</c> and a newline, formatted straight into the batch: a
    /// fast printer's lines share their millisecond, so the timestamp is formatted once per millisecond, and no line
    /// string is built just to be copied (this path bounds the log throughput, see bench/log-throughput.sh).
    /// </summary>
    /// <remarks>When writing the batch or rotating fails, the file system's exception propagates and the line was not taken.</remarks>
    public void Append(DateTimeOffset timestamp, LogStream stream, string text)
    {
        var millisecond = timestamp.UtcTicks / TimeSpan.TicksPerMillisecond;
        if (millisecond != _stampMillisecond)
        {
            _stampMillisecond = millisecond;
            _stamp = LogLineFormat.FormatTimestamp(timestamp);
        }
        // The timestamp is ASCII: one byte per character; then " O " and the text, then the newline.
        var textBytes = Utf8.GetByteCount(text);
        var bytes = _stamp.Length + 3 + textBytes + 1;
        var logged = _size + _batch.WrittenCount;
        if (logged > 0 && logged + bytes > maxBytes)
        {
            Flush();
            Rotate();
        }
        else if (_batch.WrittenCount + bytes > BatchBytes)
        {
            Flush();
        }
        var line = _batch.GetSpan(bytes);
        Encoding.ASCII.GetBytes(_stamp, line);
        line[_stamp.Length] = (byte)' ';
        line[_stamp.Length + 1] = (byte)LogLineFormat.Letter(stream);
        line[_stamp.Length + 2] = (byte)' ';
        Utf8.GetBytes(text, line[(_stamp.Length + 3)..]);
        line[bytes - 1] = (byte)'\n';
        _batch.Advance(bytes);
    }

    /// <summary>Writes the waiting lines, making them visible to readers; called once per collected batch, not per line.</summary>
    /// <remarks>When the write fails, the file system's exception propagates and the lines keep waiting for the next call.</remarks>
    public void Flush()
    {
        if (_batch.WrittenCount > 0)
        {
            // The log was deleted (rm -rf .orchestra): the batch starts a new file rather than feed a name nobody
            // sees. Checked when there is something to write, not on every poll of an idle replica.
            if (_file is not null && !File.Exists(files.Log))
                Close(size: 0);
            var file = Open();
            RandomAccess.Write(file, _batch.WrittenSpan, _size);
            _size += _batch.WrittenCount;
            _batch.ResetWrittenCount();
        }
        written();
    }

    private SafeFileHandle Open()
    {
        if (_file is not null)
            return _file.SafeFileHandle;
        StateFolder.EnsureSubfolder(files.Directory);
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        };
        // Output may hold secrets: owner-only, like the raw capture files.
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        _file = new FileStream(files.Log, options);
        _size = _file.Length;
        return _file.SafeFileHandle;
    }

    private void Close(long size)
    {
        _file?.Dispose();
        _file = null;
        _size = size;
    }

    private void Rotate()
    {
        Close(_size);
        if (keep > 0)
        {
            // The first free generation: a rotation cut short by a fault left a gap, which is filled before anything is dropped.
            var free = 1;
            while (free < keep && File.Exists(files.Rotated(free)))
                free++;
            File.Delete(files.Rotated(free));
            for (var generation = free - 1; generation >= 1; generation--)
                File.Move(files.Rotated(generation), files.Rotated(generation + 1));
            if (File.Exists(files.Log))
                File.Move(files.Log, files.Rotated(1));
        }
        else
        {
            File.Delete(files.Log);
        }
        _size = 0;
    }

    /// <summary>Closes the file; lines still waiting are the caller's to flush first.</summary>
    public void Dispose() => _file?.Dispose();
}
