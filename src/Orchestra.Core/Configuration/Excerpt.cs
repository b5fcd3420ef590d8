namespace Orchestra.Configuration;

/// <summary>Quotes text a user wrote back in an error, cut short so that one bad line stays one readable sentence.</summary>
internal static class Excerpt
{
    private const int MaxLength = 40;

    public static string Of(string text) => text.Length <= MaxLength ? text : text[..MaxLength] + "…";
}
