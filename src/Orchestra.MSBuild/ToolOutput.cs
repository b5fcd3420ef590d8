using System.Text.RegularExpressions;

namespace Orchestra.MSBuild;

/// <summary>
/// Reads the tool's error lines. Every error the tool reports is one line <c>error: sentence</c>, and a configuration
/// error's sentence starts with <c>file:line:column:</c> (README, "Exit codes"), which becomes an MSBuild error at
/// that place, so CI logs and IDEs point at the yml.
/// </summary>
internal static partial class ToolOutput
{
    private const string ErrorPrefix = "error: ";

    /// <summary>The sentence of an <c>error: </c> line, or null for any other line.</summary>
    public static string? Error(string line) =>
        line.StartsWith(ErrorPrefix, StringComparison.Ordinal) ? line[ErrorPrefix.Length..].Trim() : null;

    /// <summary>The file, line, column and message of a located error's sentence, or null when it names no place.</summary>
    public static (string File, int Line, int Column, string Message)? Located(string sentence) =>
        LocatedPattern().Match(sentence) is { Success: true } match
            ? (match.Groups["file"].Value, int.Parse(match.Groups["line"].Value), int.Parse(match.Groups["column"].Value), match.Groups["message"].Value)
            : null;

    // The path is matched lazily up to the first ":digits:digits: ", so a drive letter or a colon in a folder name stays in it.
    [GeneratedRegex(@"^(?<file>.+?):(?<line>\d+):(?<column>\d+): (?<message>.+)$")]
    private static partial Regex LocatedPattern();
}
