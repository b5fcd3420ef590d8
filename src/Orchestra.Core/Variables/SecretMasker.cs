using System.Text.RegularExpressions;

namespace Orchestra.Variables;

/// <summary>Hides secrets when an environment is shown: whole values of secret-looking names, and passwords inside connection strings and URLs.</summary>
public static partial class SecretMasker
{
    public const string Mask = "****";

    private static readonly string[] SecretWords = ["PASSWORD", "SECRET", "TOKEN", "KEY"];

    [GeneratedRegex(@"(?<key>\b(?:password|pwd)\s*=\s*)(?<secret>[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringPassword();

    [GeneratedRegex(@"(?<key>://[^/:@\s]+:)(?<secret>[^@/\s]+)(?=@)")]
    private static partial Regex UrlPassword();

    public static bool IsSecretName(string name)
    {
        var upper = name.ToUpperInvariant();
        return SecretWords.Any(upper.Contains);
    }

    public static string MaskValue(string name, string value)
    {
        if (value.Length == 0)
            return value;
        if (IsSecretName(name))
            return Mask;
        value = ConnectionStringPassword().Replace(value, m => m.Groups["secret"].Length == 0 ? m.Value : m.Groups["key"].Value + Mask);
        return UrlPassword().Replace(value, m => m.Groups["key"].Value + Mask);
    }
}
