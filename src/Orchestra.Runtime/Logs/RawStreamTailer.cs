using System.Buffers;
using System.Text;

namespace Orchestra.Runtime.Logs;

/// <summary>
/// Reads a growing file from a byte offset and cuts it into lines: a raw capture file for the collector, a
/// collected log for the reader. A line longer than the maximum is emitted in pieces (cut on a UTF-8
/// character boundary), never dropped. An unfinished last line stays pending, and <see cref="Offset"/> (what is
/// safe to persist) stops before it. When a line cannot be handed on (its writer failed), the tailer steps back to
/// that line's start, so the next read offers it again: a failing consumer delays lines but never loses one.
/// </summary>
internal sealed class RawStreamTailer : IDisposable
{
    /// <summary>The longest line a replica's log holds (SPEC §6); longer output lines are split.</summary>
    public const int MaxLineBytes = 64 * 1024;

    // Large enough for full-speed reads. Rented for one read from the shared pool: the supervisor runs two tailers per
    // replica, and a buffer each held for good cost 5 MiB with 20 replicas that mostly print nothing.
    private const int ChunkBytes = 64 * 1024;

    // The unfinished line a tailer keeps between reads is usually short; a buffer grown past this for a long line is
    // let go once the line is handed on.
    private const int RetainedPendingBytes = 4 * 1024;

    private readonly string _path;
    private byte[] _pending = [];
    private readonly int _maxLineBytes;
    private int _pendingCount;
    private long _readPosition;
    // The file offset of the first byte not yet handed on: where the pending bytes start.
    private long _consumed;
    private FileStream? _stream;

    public RawStreamTailer(string path, long offset, int maxLineBytes = MaxLineBytes)
    {
        _path = path;
        _readPosition = offset;
        _consumed = offset;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>
    /// The name the file this tailer has open goes by now: the kernel follows it through renames (a rotation), and ends
    /// it with <c> (deleted)</c> once it has no name. Null while nothing is open, and off Linux (through /proc/self/fd).
    /// Only the name: a file is renamed within its folder, and the folder's path may differ by a symbolic link.
    /// </summary>
    public string? CurrentName =>
        _stream is not null && OperatingSystem.IsLinux()
            ? Path.GetFileName(new FileInfo($"/proc/self/fd/{_stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget)
            : null;

    /// <summary>The open file, once <see cref="TryOpen"/> or a read found it.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle? Handle => _stream?.SafeFileHandle;

    /// <summary>Opens the file when it exists (reads open it anyway); false when there is none yet.</summary>
    public bool TryOpen() => Open() is not null;

    /// <summary>Bytes consumed into lines handed on: the offset a successor resumes from.</summary>
    public long Offset => _consumed;

    /// <summary>
    /// Reads up to <paramref name="maxBytes"/> new bytes and hands each complete line to <paramref name="emit"/>; returns
    /// the bytes read. When reading or <paramref name="emit"/> throws, the tailer is back at <see cref="Offset"/>: the
    /// line that was not taken, and everything after it, is read again next time.
    /// </summary>
    public int ReadLines(Action<string> emit, int maxBytes)
    {
        if (Open() is not { } stream)
            return 0;
        var total = 0;
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (total < maxBytes)
            {
                var read = stream.Read(chunk, 0, Math.Min(ChunkBytes, maxBytes - total));
                if (read == 0)
                    break;
                _readPosition += read;
                total += read;
                Split(chunk.AsSpan(0, read), emit);
            }
        }
        catch
        {
            // The bytes after the line that failed were read but not handed on; the pending ones are read again too.
            _readPosition = _consumed;
            _pendingCount = 0;
            stream.Position = _consumed;
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            if (_pendingCount == 0 && _pending.Length > RetainedPendingBytes)
                _pending = [];
        }
        return total;
    }

    /// <summary>Emits the unfinished last line: the process that wrote it is gone, so it is complete.</summary>
    public void FlushPending(Action<string> emit)
    {
        if (_pendingCount > 0)
            EmitPending(_pendingCount, terminator: 0, emit);
    }

    private void Split(ReadOnlySpan<byte> data, Action<string> emit)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var take = newline < 0 ? data.Length : newline;
            var room = _maxLineBytes - _pendingCount;
            if (take >= room)
            {
                // Too long for one line: fill the line up, emit the largest whole-character prefix, keep the rest.
                Reserve(_maxLineBytes);
                data[..room].CopyTo(_pending.AsSpan(_pendingCount));
                _pendingCount = _maxLineBytes;
                EmitPending(CharacterBoundary(_pending.AsSpan(0, _pendingCount)), terminator: 0, emit);
                data = data[room..];
                continue;
            }
            Reserve(_pendingCount + take);
            data[..take].CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += take;
            if (newline < 0)
                return;
            EmitPending(_pendingCount, terminator: 1, emit);
            data = data[(newline + 1)..];
        }
    }

    /// <summary>Grows the pending buffer to hold <paramref name="count"/> bytes (at most a line), keeping what it holds.</summary>
    private void Reserve(int count)
    {
        if (_pending.Length < count)
            Array.Resize(ref _pending, Math.Min(_maxLineBytes, Math.Max(count, Math.Max(256, _pending.Length * 2))));
    }

    /// <summary>Hands on the first <paramref name="count"/> pending bytes, then counts them (and the <paramref name="terminator"/> newline) as consumed.</summary>
    private void EmitPending(int count, int terminator, Action<string> emit)
    {
        var line = _pending.AsSpan(0, count);
        if (line.EndsWith("\r"u8))
            line = line[..^1];
        emit(Encoding.UTF8.GetString(line));
        _pending.AsSpan(count, _pendingCount - count).CopyTo(_pending);
        _pendingCount -= count;
        _consumed += count + terminator;
    }

    /// <summary>The length of the longest prefix of a full buffer that does not end inside a UTF-8 sequence.</summary>
    private static int CharacterBoundary(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.Length;
        // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last sequence.
        var lead = end - 1;
        while (lead > 0 && end - lead < 4 && (buffer[lead] & 0xC0) == 0x80)
            lead--;
        var expected = buffer[lead] switch { < 0x80 => 1, >= 0xF0 => 4, >= 0xE0 => 3, >= 0xC0 => 2, _ => 1 };
        return lead + expected <= end ? end : Math.Max(lead, 1);
    }

    private FileStream? Open()
    {
        if (_stream is not null)
            return _stream;
        if (!File.Exists(_path))
            return null;
        _stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        // Shorter than the offset: the file was deleted and begun anew, so all of it is new.
        if (_stream.Length < _readPosition)
            _readPosition = _consumed = 0;
        _stream.Position = _readPosition;
        return _stream;
    }

    public void Dispose() => _stream?.Dispose();
}
