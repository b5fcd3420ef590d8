using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestra.Configuration.Yaml;

/// <summary>Loads a YAML file into its node tree, turning syntax errors into located configuration errors.</summary>
internal static class YamlFile
{
    /// <summary>The root node, or null when the file holds no document or only <c>null</c>.</summary>
    public static YamlNode? Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(null, $"Cannot read {path}: {e.Message}");
        }
        return Parse(ConfigurationText.Decode(bytes, path), path);
    }

    public static YamlNode? Parse(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new GuardedParser(text, path));
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).TrimEnd('.');
            throw new ConfigurationException(At(path, e.Start), $"invalid YAML: {message}.");
        }
        if (stream.Documents.Count == 0)
            return null;
        if (stream.Documents.Count > 1)
            throw new ConfigurationException(At(path, stream.Documents[1].RootNode.Start), "expected one YAML document, found several.");
        var root = stream.Documents[0].RootNode;
        return root is YamlScalarNode scalar && YamlValues.IsNull(scalar) ? null : root;
    }

    public static SourceLocation At(string path, Mark mark) => new(path, (int)mark.Line, (int)mark.Column);
}
