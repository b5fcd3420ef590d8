using System.Text.RegularExpressions;

namespace Orchestra.Variables;

/// <summary>Writes POSIX shell <c>export</c> lines that a shell reads back to the same values.</summary>
public static partial class ShellQuoting
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ShellName();

    [GeneratedRegex("^[A-Za-z0-9_@%+=:,./-]+$")]
    private static partial Regex SafeWord();

    /// <summary>Whether a POSIX shell can name this variable (no dots or dashes).</summary>
    public static bool IsShellName(string name) => ShellName().IsMatch(name);

    /// <summary>The value as one shell word: bare when it is safe, else single-quoted with <c>'\''</c> for each quote.</summary>
    public static string Quote(string value) =>
        SafeWord().IsMatch(value) ? value : "'" + value.Replace("'", @"'\''") + "'";

    public static string Export(string name, string value) => $"export {name}={Quote(value)}";
}
