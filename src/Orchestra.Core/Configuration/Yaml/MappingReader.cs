using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestra.Configuration.Yaml;

/// <summary>
/// Reads the keys of one YAML mapping into typed values. Unknown keys and wrong values are reported to
/// the <see cref="ErrorSink"/> at their exact place, so one run reports every mistake in a file.
/// A getter returns null for a key that is absent, empty or wrong.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public MappingReader(YamlMappingNode node, string path, ErrorSink errors, IReadOnlyCollection<string> knownKeys)
    {
        Node = node;
        Path = path;
        Errors = errors;
        foreach (var (key, value) in node.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } scalarKey)
            {
                errors.Add(At(key), $"a key must be plain text, not {YamlValues.Describe(key)}.");
                continue;
            }
            if (!knownKeys.Contains(name))
            {
                errors.Add(At(key), UnknownKey(name, knownKeys));
                continue;
            }
            _entries[name] = (scalarKey, value);
        }
    }

    public YamlMappingNode Node { get; }
    public string Path { get; }
    public ErrorSink Errors { get; }

    public SourceLocation Location => At(Node);

    public SourceLocation At(YamlNode node) => YamlFile.At(Path, node.Start);

    public bool Has(string key) => Value(key) is not null;

    /// <summary>The value node of a key, or null when absent or written as null.</summary>
    public YamlNode? Value(string key) =>
        _entries.TryGetValue(key, out var entry) && !(entry.Value is YamlScalarNode s && YamlValues.IsNull(s)) ? entry.Value : null;

    public SourceLocation? KeyLocation(string key) => _entries.TryGetValue(key, out var entry) ? At(entry.Key) : null;

    public Located<string>? String(string key)
    {
        if (Value(key) is not { } node)
            return null;
        if (node is YamlScalarNode { Value: { } text })
            return new Located<string>(text, At(node));
        Wrong(key, node, "text");
        return null;
    }

    public Located<int>? Integer(string key, int min, int max)
    {
        if (Value(key) is not { } node)
            return null;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text }
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            && number >= min && number <= max)
        {
            return new Located<int>(number, At(node));
        }
        Wrong(key, node, $"a whole number from {min} to {max}");
        return null;
    }

    public bool? Boolean(string key)
    {
        if (Value(key) is not { } node)
            return null;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text })
        {
            switch (text)
            {
                case "true" or "True" or "TRUE": return true;
                case "false" or "False" or "FALSE": return false;
            }
        }
        Wrong(key, node, "true or false");
        return null;
    }

    public TimeSpan? Duration(string key, DurationRange range)
    {
        if (String(key) is not { } text)
            return null;
        if (!DurationParser.TryParse(text.Value, out var duration))
            Errors.Add(text.Location, $"{key} must be {DurationParser.Expected}, got '{Excerpt.Of(text.Value)}'.");
        else if (!range.Contains(duration))
            Errors.Add(text.Location, $"{key} must be {range}, got '{Excerpt.Of(text.Value)}'.");
        else
            return duration;
        return null;
    }

    /// <summary>One of a fixed set of words; the error lists them and suggests the closest.</summary>
    public Located<string>? OneOf(string key, IReadOnlyList<string> allowed)
    {
        if (String(key) is not { } text)
            return null;
        if (allowed.Contains(text.Value))
            return text;
        var hint = Suggestions.Closest(text.Value, allowed) is { } near ? $" Did you mean '{near}'?" : "";
        Errors.Add(text.Location, $"{key} must be one of {string.Join(", ", allowed)}, got '{text.Value}'.{hint}");
        return null;
    }

    /// <summary>A list of text items; with <paramref name="allowSingle"/> one plain string counts as a list of one.</summary>
    public IReadOnlyList<Located<string>>? StringList(string key, bool allowSingle = false)
    {
        if (Value(key) is not { } node)
            return null;
        if (allowSingle && node is YamlScalarNode { Value: { } single })
            return [new Located<string>(single, At(node))];
        if (node is not YamlSequenceNode sequence)
        {
            Wrong(key, node, allowSingle ? "text or a list of text" : "a list of text");
            return null;
        }
        var items = new List<Located<string>>();
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { } text } && !YamlValues.IsNull((YamlScalarNode)item))
                items.Add(new Located<string>(text, At(item)));
            else
                Errors.Add(At(item), $"each item of {key} must be text, got {YamlValues.Describe(item)}.");
        }
        return items;
    }

    public IReadOnlyList<string>? Strings(string key, bool allowSingle = false) =>
        StringList(key, allowSingle)?.Select(i => i.Value).ToList();

    /// <summary>A command line: a list of arguments, or one string split like a shell would split it.</summary>
    public IReadOnlyList<string>? CommandLine(string key)
    {
        if (Value(key) is YamlScalarNode { Value: { } text } node)
        {
            var words = CommandLineSplitter.Split(text);
            if (words.Count > 0)
                return words;
            Errors.Add(At(node), $"{key} must name a program to run.");
            return null;
        }
        var list = Strings(key);
        if (list is { Count: 0 } && Value(key) is { } empty)
            Errors.Add(At(empty), $"{key} must name a program to run.");
        return list is { Count: > 0 } ? list : null;
    }

    /// <summary>An <c>env:</c> mapping: names to text, numbers or booleans.</summary>
    public IReadOnlyList<EnvEntry>? Env(string key)
    {
        if (Mapping(key) is not { } mapping)
            return null;
        var env = new List<EnvEntry>();
        foreach (var (nameNode, valueNode) in mapping.Children)
        {
            if (nameNode is not YamlScalarNode { Value: { Length: > 0 } name } || name.Contains('='))
            {
                Errors.Add(At(nameNode), $"an environment variable name must be non-empty text without '=', got {YamlValues.Describe(nameNode)}.");
                continue;
            }
            switch (valueNode)
            {
                case YamlScalarNode scalar when YamlValues.IsNull(scalar):
                    env.Add(new EnvEntry(name, "", At(nameNode)));
                    break;
                case YamlScalarNode { Value: { } value }:
                    env.Add(new EnvEntry(name, value, At(nameNode)));
                    break;
                default:
                    Errors.Add(At(valueNode), $"the value of {name} must be text, a number or true/false, got {YamlValues.Describe(valueNode)}.");
                    break;
            }
        }
        return env;
    }

    /// <summary>A nested mapping, without checking its keys (see <see cref="Section"/>).</summary>
    public YamlMappingNode? Mapping(string key)
    {
        if (Value(key) is not { } node)
            return null;
        if (node is YamlMappingNode mapping)
            return mapping;
        Wrong(key, node, "a mapping of keys to values");
        return null;
    }

    /// <summary>A nested mapping whose keys are checked against <paramref name="knownKeys"/>.</summary>
    public MappingReader? Section(string key, IReadOnlyCollection<string> knownKeys) =>
        Mapping(key) is { } mapping ? new MappingReader(mapping, Path, Errors, knownKeys) : null;

    private void Wrong(string key, YamlNode node, string expected) =>
        Errors.Add(At(node), $"{key} must be {expected}, got {YamlValues.Describe(node)}.");

    private static string UnknownKey(string name, IReadOnlyCollection<string> knownKeys) =>
        Suggestions.Closest(name, knownKeys) is { } near
            ? $"unknown key '{name}'. Did you mean '{near}'?"
            : $"unknown key '{name}'. Expected one of: {string.Join(", ", knownKeys)}.";
}
