using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Orchestra.Configuration;

/// <summary>
/// Decodes a configuration file as UTF-8, strictly: a byte that is not UTF-8, or a NUL character, is an error at its
/// place. A lenient decoder would replace the one and let the other cut a value short, both without a word.
/// </summary>
internal static class ConfigurationText
{
    public static string Decode(byte[] bytes, string path)
    {
        var content = bytes.AsSpan();
        if (content.StartsWith(Encoding.UTF8.Preamble))
            content = content[Encoding.UTF8.Preamble.Length..];
        var chars = new char[content.Length];
        if (Utf8.ToUtf16(content, chars, out var read, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
            throw new ConfigurationException(At(chars.AsSpan(0, written), path), $"the byte 0x{content[read]:X2} is not valid UTF-8; save the file as UTF-8.");
        var text = new string(chars, 0, written);
        if (text.IndexOf('\0') is var nul and >= 0)
            throw new ConfigurationException(At(text.AsSpan(0, nul), path), "the file holds a NUL character, which no file name, argument or environment variable can carry.");
        return text;
    }

    /// <summary>The place right after <paramref name="before"/>, the text that precedes it in the file.</summary>
    private static SourceLocation At(ReadOnlySpan<char> before, string path)
    {
        var lineStart = before.LastIndexOf('\n') + 1;
        return new SourceLocation(path, before.Count('\n') + 1, before.Length - lineStart + 1);
    }
}
