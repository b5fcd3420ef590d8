using System.Text;

namespace Orchestra.Variables;

/// <summary>
/// Masks the secrets of a connection string: the value of each key with a secret name (<c>Password</c>,
/// <c>Pwd</c>, <c>AccountKey</c>…), quotes and all, and the URLs that other values are. The syntax is ADO.NET's:
/// <c>key=value</c> pairs separated by <c>;</c>, spaces around keys and <c>=</c>, a value in <c>'</c> or <c>"</c>
/// quotes may hold <c>;</c> and doubles its quote to hold it. A <c>,</c> followed by <c>key=</c> separates pairs
/// too, as in StackExchange.Redis's <c>host:port,password=…</c>; any other comma is part of a value
/// (<c>Server=tcp:host,1433</c>).
/// </summary>
internal static class ConnectionStringSecrets
{
    public static string Mask(string text)
    {
        var result = new StringBuilder(text.Length);
        var position = 0;
        while (position < text.Length)
        {
            var equals = text.IndexOfAny(['=', ';'], position);
            if (equals < 0 || text[equals] == ';')
            {
                // No key=value pair (an empty part, a Redis endpoint): it stays as it is.
                var partEnd = equals < 0 ? text.Length : equals + 1;
                result.Append(text, position, partEnd - position);
                position = partEnd;
                continue;
            }
            // The key starts after the comma before it, if any: host:port,password=… is an endpoint, then a pair.
            var keyStart = position + text.AsSpan(position, equals - position).LastIndexOf(',') + 1;
            var key = text[keyStart..equals].Trim();
            var valueStart = equals + 1;
            while (valueStart < text.Length && char.IsWhiteSpace(text[valueStart]))
                valueStart++;
            var valueEnd = ValueEnd(text, valueStart);
            var value = text[valueStart..valueEnd];
            result.Append(text, position, valueStart - position);
            result.Append(value.Length > 0 && SecretNames.IsSecret(key) ? SecretMasker.Mask : MaskUrl(value));
            position = valueEnd;
        }
        return result.ToString();
    }

    /// <summary>Where the value starting at <paramref name="start"/> ends: at the next separator outside its quotes.</summary>
    private static int ValueEnd(string text, int start)
    {
        var position = start;
        if (position < text.Length && text[position] is '\'' or '"')
        {
            var quote = text[position++];
            while (position < text.Length && !(text[position] == quote && (position + 1 == text.Length || text[position + 1] != quote)))
                position += text[position] == quote ? 2 : 1;
        }
        for (; position < text.Length; position++)
        {
            if (text[position] == ';' || (text[position] == ',' && StartsPair(text, position + 1)))
                return position;
        }
        return text.Length;
    }

    /// <summary>Whether a key and its <c>=</c> come next, before any separator or quote.</summary>
    private static bool StartsPair(string text, int start)
    {
        var end = text.IndexOfAny(['=', ';', ',', '\'', '"'], start);
        return end >= 0 && text[end] == '=' && !string.IsNullOrWhiteSpace(text[start..end]);
    }

    /// <summary>A value that is a URL (<c>Endpoint=sb://…</c>), quoted or not, with its secrets masked.</summary>
    private static string MaskUrl(string value)
    {
        var quoted = value.Length >= 2 && value[0] is '\'' or '"' && value[^1] == value[0];
        var inner = quoted ? value[1..^1] : value;
        if (!UrlSecrets.IsUrl(inner))
            return value;
        var masked = UrlSecrets.Mask(inner);
        return quoted ? value[0] + masked + value[^1] : masked;
    }
}
