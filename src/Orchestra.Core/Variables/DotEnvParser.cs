using System.Text;
using System.Text.RegularExpressions;
using Orchestra.Configuration;

namespace Orchestra.Variables;

/// <summary>
/// Reads <c>.env</c> files in the usual dotenv syntax: comments, blank lines, an optional <c>export </c>
/// prefix, unquoted, single-quoted (literal) and double-quoted (escapes, may span lines) values.
/// </summary>
/// <remarks>
/// Values come back in the form <see cref="VariableExpander"/> takes: a single-quoted value has each
/// <c>$</c> doubled so that it stays literal, as in a shell.
/// </remarks>
public static partial class DotEnvParser
{
    [GeneratedRegex(@"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=[ \t]*")]
    private static partial Regex Assignment();

    /// <summary>Reads a file; a missing or malformed file is a <see cref="ConfigurationException"/>.</summary>
    public static IReadOnlyList<EnvEntry> Read(string path, SourceLocation? referencedAt)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : $"cannot be read: {e.Message}";
            throw new ConfigurationException(referencedAt, $"the env file {path} {reason}.");
        }
        return Parse(ConfigurationText.Decode(bytes, path), path);
    }

    public static IReadOnlyList<EnvEntry> Parse(string text, string path)
    {
        var entries = new List<EnvEntry>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                continue;
            var match = Assignment().Match(line);
            if (!match.Success)
                throw Error(path, lineNumber, 1, $"expected NAME=VALUE, got '{Excerpt.Of(trimmed)}'.");
            var name = match.Groups[1].Value;
            var at = new SourceLocation(path, lineNumber, match.Groups[1].Index + 1);
            var rest = line[match.Length..];
            string value;
            if (rest.StartsWith('\'') || rest.StartsWith('"'))
                value = ReadQuoted(lines, ref i, match.Length, path);
            else
                value = StripComment(rest).Trim();
            entries.Add(new EnvEntry(name, value, at));
        }
        return entries;
    }

    /// <summary>Reads a quoted value starting at <paramref name="column"/> of line <paramref name="index"/>, across lines if needed.</summary>
    private static string ReadQuoted(string[] lines, ref int index, int column, string path)
    {
        var startLine = index + 1;
        var quote = lines[index][column];
        var value = new StringBuilder();
        var position = column + 1;
        while (true)
        {
            var line = lines[index];
            for (; position < line.Length; position++)
            {
                var c = line[position];
                if (c == quote)
                {
                    var tail = line[(position + 1)..].Trim();
                    if (tail.Length > 0 && !tail.StartsWith('#'))
                        throw Error(path, index + 1, position + 2, $"unexpected text after the closing quote: '{Excerpt.Of(tail)}'.");
                    return value.ToString();
                }
                if (quote == '\'')
                    value.Append(c == '$' ? "$$" : c);
                else if (c == '\\' && position + 1 < line.Length)
                    value.Append(Escape(line[++position]));
                else
                    value.Append(c);
            }
            if (++index >= lines.Length)
                throw Error(path, startLine, column + 1, $"the quote {quote} opened here is never closed.");
            value.Append('\n');
            position = 0;
        }
    }

    private static string Escape(char c) => c switch
    {
        'n' => "\n",
        'r' => "\r",
        't' => "\t",
        '$' => "$$",
        _ => c.ToString(),
    };

    /// <summary>An unquoted value ends at a <c>#</c> that follows white space.</summary>
    private static string StripComment(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '#' && (i == 0 || char.IsWhiteSpace(value[i - 1])))
                return value[..i];
        }
        return value;
    }

    private static ConfigurationException Error(string path, int line, int column, string message) =>
        new(new SourceLocation(path, line, column), message);
}
