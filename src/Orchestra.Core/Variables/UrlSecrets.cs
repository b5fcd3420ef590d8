using System.Text;
using System.Text.RegularExpressions;

namespace Orchestra.Variables;

/// <summary>
/// Masks the secrets of URLs (<c>scheme://user:password@host/path?query#fragment</c>): the password of the
/// user-info, and the values of query and fragment parameters with secret names (<c>?api_key=</c>,
/// <c>#access_token=</c>). A value may list several URLs, separated by whitespace, commas or semicolons.
/// </summary>
internal static partial class UrlSecrets
{
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*://")]
    private static partial Regex Scheme();

    /// <summary>A separator followed by the next URL's scheme.</summary>
    [GeneratedRegex(@"(?<=[\s,;])(?=[A-Za-z][A-Za-z0-9+.\-]*://)")]
    private static partial Regex NextUrl();

    [GeneratedRegex("(?<before>[?&#;](?<name>[^=&#;]+)=)(?<value>[^&#;]*)")]
    private static partial Regex Parameter();

    /// <summary>Whether the text starts as a URL does, with a scheme and <c>://</c>.</summary>
    public static bool IsUrl(string text) => Scheme().IsMatch(text);

    /// <summary>The URLs of <paramref name="text"/>, which starts with one, with their secrets masked.</summary>
    public static string Mask(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var url in NextUrl().Split(text))
            result.Append(MaskOne(url));
        return result.ToString();
    }

    private static string MaskOne(string url)
    {
        // RFC 3986: the authority runs to the first /, ? or #, and its user-info to the last @ in it (a password
        // with an unescaped @ is still cut right).
        var authorityStart = Scheme().Match(url).Length;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart) is var end and >= 0 ? end : url.Length;
        var authority = url[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        var colon = at < 0 ? -1 : authority.IndexOf(':', 0, at);
        var head = url[..authorityStart] + (colon >= 0 && at > colon + 1 ? authority[..(colon + 1)] + SecretMasker.Mask + authority[at..] : authority);
        var rest = Parameter().Replace(url[authorityEnd..], m =>
            m.Groups["value"].Length > 0 && SecretNames.IsSecret(Uri.UnescapeDataString(m.Groups["name"].Value))
                ? m.Groups["before"].Value + SecretMasker.Mask
                : m.Value);
        return head + rest;
    }
}
