using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestra.Configuration.Yaml;

/// <summary>How YAML's core schema reads plain scalars.</summary>
internal static class YamlValues
{
    public static bool IsNull(YamlScalarNode node) =>
        node.Style == ScalarStyle.Plain && node.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => $"'{Excerpt.Of(s.Value ?? "")}'",
        _ => "an alias",
    };
}
