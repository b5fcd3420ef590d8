using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Orchestra.Configuration.Yaml;

/// <summary>
/// YamlDotNet's parser with the guards a file written by hand needs: lists and mappings nest at most
/// <see cref="MaxDepth"/> deep (the node tree is built recursively, and a deeper file would overflow the stack and
/// kill the process), a NUL in a value is refused, and every syntax error becomes one
/// <see cref="ConfigurationException"/> at the place the user must look.
/// </summary>
internal sealed class GuardedParser : IParser
{
    /// <summary>The deepest nesting read; a configuration needs five levels at most.</summary>
    public const int MaxDepth = 32;

    private readonly string _path;
    private readonly Scanner _scanner;
    private readonly Parser _parser;
    // Each list and mapping not closed yet, innermost on top.
    private readonly Stack<OpenCollection> _open = new();
    private Mark _lastStart = Mark.Empty;

    public GuardedParser(string text, string path)
    {
        _path = path;
        _scanner = new Scanner(new StringReader(text));
        _parser = new Parser(_scanner);
    }

    public ParsingEvent? Current => _parser.Current;

    public bool MoveNext()
    {
        bool moved;
        try
        {
            moved = _parser.MoveNext();
        }
        catch (YamlException e)
        {
            throw SyntaxError(e);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some unclosed flow collections instead of raising a YamlException.
            var at = _scanner.CurrentPosition;
            throw OpenFlowCollection() is { } open
                ? Unclosed(open, at)
                : new ConfigurationException(YamlFile.At(_path, at), "invalid YAML: the text cannot be read from here on.");
        }
        if (moved)
            Check(_parser.Current!);
        return moved;
    }

    private void Check(ParsingEvent current)
    {
        _lastStart = current.Start;
        if (current is NodeEvent or AnchorAlias && _open.TryPeek(out var parent))
            parent.Children++;
        switch (current)
        {
            case MappingStart or SequenceStart:
                _open.Push(new OpenCollection(current));
                if (_open.Count > MaxDepth)
                    throw new ConfigurationException(YamlFile.At(_path, current.Start), $"lists and mappings nest more than {MaxDepth} levels deep here; a configuration needs a few.");
                break;
            case MappingEnd:
                // YamlDotNet drops a block scalar after an empty key, and reads an alias stuck to a collection as one
                // more node, instead of failing; the node tree would then throw an ArgumentException over a mapping
                // that ends on a key.
                if (_open.Pop() is { Children: var children, Start: var mapping } && children % 2 == 1)
                    throw new ConfigurationException(YamlFile.At(_path, mapping.Start), "invalid YAML: a key of this mapping has no value.");
                break;
            case SequenceEnd:
                _open.Pop();
                break;
            case Scalar { Value: var value } when value.Contains('\0'):
                throw new ConfigurationException(YamlFile.At(_path, current.Start), "a value must not contain a NUL character, which no file name, argument or environment variable can carry.");
        }
    }

    private ConfigurationException SyntaxError(YamlException e)
    {
        var message = (e.InnerException?.Message ?? e.Message).TrimEnd('.');
        // libyaml's words for a flow collection that does not end where it should. Where reading stopped is often
        // lines below the real mistake, so the error points at the bracket left open.
        if (e is SemanticErrorException && message.Contains("did not find expected ','", StringComparison.Ordinal) && OpenFlowCollection() is { } open)
            return Unclosed(open, e.Start);
        // Some errors carry the start of the enclosing mapping (a tab used as indentation names line 1). A place
        // before what was already read cannot be the mistake's; the scanner's position is.
        var at = e.Start.Index < _lastStart.Index ? _scanner.CurrentPosition : e.Start;
        return new ConfigurationException(YamlFile.At(_path, at), $"invalid YAML: {message}.");
    }

    private ParsingEvent? OpenFlowCollection() =>
        _open.TryPeek(out var innermost) && innermost.Start is MappingStart { Style: MappingStyle.Flow } or SequenceStart { Style: SequenceStyle.Flow }
            ? innermost.Start
            : null;

    private ConfigurationException Unclosed(ParsingEvent open, Mark stoppedAt)
    {
        var (bracket, closing) = open is MappingStart ? ('{', '}') : ('[', ']');
        return new ConfigurationException(YamlFile.At(_path, open.Start),
            $"invalid YAML: the '{bracket}' opened here is not closed: at line {stoppedAt.Line}, column {stoppedAt.Column} a ',' or '{closing}' was expected.");
    }

    private sealed class OpenCollection(ParsingEvent start)
    {
        public ParsingEvent Start { get; } = start;

        /// <summary>The nodes read directly inside it so far: keys and values alike, for a mapping.</summary>
        public int Children { get; set; }
    }
}
