using System.Text;

namespace Orchestra.Runtime.Logs;

/// <summary>Appends formatted lines to a replica's log file, rotating it by size: <c>svc.0.log</c> → <c>.log.1</c> → … → <c>.log.N</c>, the oldest dropped.</summary>
internal sealed class RotatingLogWriter(ReplicaLogFiles files, long maxBytes, int keep) : IDisposable
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);
    private StreamWriter? _writer;
    private long _size;

    public void Append(DateTimeOffset timestamp, LogStream stream, string text)
    {
        var line = LogLineFormat.Format(timestamp, stream, text);
        var bytes = Utf8.GetByteCount(line) + 1;
        if (_size > 0 && _size + bytes > maxBytes)
            Rotate();
        var writer = Writer();
        writer.Write(line);
        writer.Write('\n');
        _size += bytes;
    }

    /// <summary>Makes what was appended visible to readers; called once per collected batch, not per line.</summary>
    public void Flush() => _writer?.Flush();

    private StreamWriter Writer()
    {
        if (_writer is not null)
            return _writer;
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
