namespace Orchestra.Variables;

/// <summary>
/// Hides secrets when an environment is shown: the whole value of a variable whose name is secret
/// (<see cref="SecretNames"/>), else the secrets inside it when it is a URL or a connection string.
/// </summary>
public static class SecretMasker
{
    public const string Mask = "****";

    public static string MaskValue(string name, string value)
    {
        if (value.Length == 0)
            return value;
        if (SecretNames.IsSecret(name))
            return Mask;
        return UrlSecrets.IsUrl(value) ? UrlSecrets.Mask(value) : ConnectionStringSecrets.Mask(value);
    }
}
