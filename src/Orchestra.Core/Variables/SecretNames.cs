using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Orchestra.Variables;

/// <summary>
/// Whether a name says its value is a secret: a variable's, a connection-string key's or a URL query parameter's.
/// A name is cut into words at every character that is not a letter or a digit and where camelCase starts a new
/// word (<c>DB_PWD</c>, <c>Jwt:SigningKey</c>, <c>clientSecret</c>), and it is secret when one of its words is.
/// </summary>
public static partial class SecretNames
{
    // Whole words only: inside longer words these are everyday ones (PATH, KEYBOARD, AUTHOR, BYPASS, OLDPWD).
    private static readonly FrozenSet<string> Words = FrozenSet.ToFrozenSet(
    [
        "PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS",
        "KEY", "KEYS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "CRED", "CREDS", "AUTH", "PAT", "BEARER", "PRIVATE",
    ], StringComparer.Ordinal);

    // These also end a word, for names written without separators (DBPASSWORD, AUTHTOKEN, CLIENTSECRET); as endings
    // they are never English words' (unlike KEY in MONKEY), and as beginnings they could be (TOKENIZER, SECRETARY).
    private static readonly string[] Endings = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "ACCESSKEY", "PRIVATEKEY", "CREDENTIAL", "CREDENTIALS"];

    // Names every shell sets, made of a secret word, that hold none: the working folder and the SSH agent's socket.
    private static readonly FrozenSet<string> Plain = FrozenSet.ToFrozenSet(["PWD", "SSH_AUTH_SOCK"], StringComparer.Ordinal);

    /// <summary>An upper-case run (kept whole before a capitalised word: <c>APIKey</c> is API, Key), a capitalised or lower-case word, or digits.</summary>
    [GeneratedRegex("[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")]
    private static partial Regex Word();

    public static bool IsSecret(string name)
    {
        if (Plain.Contains(name))
            return false;
        foreach (Match word in Word().Matches(name))
        {
            var upper = word.Value.ToUpperInvariant();
            if (Words.Contains(upper) || Endings.Any(e => upper.EndsWith(e, StringComparison.Ordinal)))
                return true;
        }
        return false;
    }
}
