using System.Text;
using Orchestra.Configuration;

namespace Orchestra.Variables;

/// <summary>
/// Expands <c>${NAME}</c> and <c>${NAME:-default}</c> in the values of one layer of variables; <c>$$</c> is a
/// literal dollar. A name defined in the same layer refers to that layer's value, so a cycle there is an
/// error; any other name, including a variable's own (<c>PATH: ${PATH}:/opt/bin</c>), refers to the layers
/// below. An unset name expands to nothing, as in a shell.
/// </summary>
public static class VariableExpander
{
    /// <summary>The layer's values, expanded. Later entries of the same name win.</summary>
    /// <exception cref="ConfigurationException">A cycle within the layer.</exception>
    public static IReadOnlyDictionary<string, string> ExpandLayer(IReadOnlyList<EnvEntry> layer, Func<string, string?> below, StringComparer names)
    {
        var raw = new Dictionary<string, EnvEntry>(names);
        foreach (var entry in layer)
            raw[entry.Name] = entry;
        var done = new Dictionary<string, string>(names);
        var stack = new List<string>();

        string Resolve(string name)
        {
            if (done.TryGetValue(name, out var value))
                return value;
            var start = stack.FindIndex(n => names.Equals(n, name));
            if (start >= 0)
            {
                var cycle = string.Join(" -> ", stack.Skip(start).Append(name));
                throw new ConfigurationException(raw[stack[start]].Location, $"the variables refer to each other in a cycle: {cycle}.");
            }
            stack.Add(name);
            value = Expand(raw[name].Value, reference =>
                !names.Equals(reference, name) && raw.ContainsKey(reference) ? Resolve(reference) : below(reference));
            stack.RemoveAt(stack.Count - 1);
            done[name] = value;
            return value;
        }

        foreach (var name in raw.Keys)
            Resolve(name);
        return done;
    }

    /// <summary>Expands one text against <paramref name="lookup"/>.</summary>
    public static string Expand(string text, Func<string, string?> lookup)
    {
        if (!text.Contains('$'))
            return text;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '$' || i + 1 >= text.Length)
            {
                result.Append(c);
            }
            else if (text[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (text[i + 1] == '{' && text.IndexOf('}', i + 2) is var close and > 0)
            {
                var body = text[(i + 2)..close];
                var split = body.IndexOf(":-", StringComparison.Ordinal);
                var name = split >= 0 ? body[..split] : body;
                var value = lookup(name);
                result.Append(string.IsNullOrEmpty(value) && split >= 0 ? Expand(body[(split + 2)..], lookup) : value);
                i = close;
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }
}
