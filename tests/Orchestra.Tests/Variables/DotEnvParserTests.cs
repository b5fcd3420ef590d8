using Orchestra.Configuration;
using Orchestra.Variables;

namespace Orchestra.Tests.Variables;

public sealed class DotEnvParserTests
{
    private const string File = "/ws/.env";

    private static string[] Parse(string text) =>
        DotEnvParser.Parse(text, File).Select(e => $"{e.Name}={e.Value}").ToArray();

    [Fact]
    public void The_usual_dotenv_syntax_is_read()
    {
        var entries = Parse("""
            # a comment

            PLAIN=value
            export EXPORTED=yes
            SPACED = padded value   # trailing comment
            HASH=a#b
            SINGLE='it is $HOME'
            DOUBLE="line\nnext \"quoted\" \$dollar"
            EMPTY=
            QUOTED_EMPTY=""
            """);

        Assert.Equal(
        [
            "PLAIN=value",
            "EXPORTED=yes",
            "SPACED=padded value",
            "HASH=a#b",
            "SINGLE=it is $$HOME",
            "DOUBLE=line\nnext \"quoted\" $$dollar",
            "EMPTY=",
            "QUOTED_EMPTY=",
        ], entries);
    }

    [Fact]
    public void A_double_quoted_value_may_span_lines()
    {
        var entries = DotEnvParser.Parse("KEY=\"-----BEGIN\nabc\n-----END\"\nNEXT=1\n", File);

        Assert.Equal("-----BEGIN\nabc\n-----END", entries[0].Value);
        Assert.Equal(new SourceLocation(File, 4, 1), entries[1].Location);
    }

    [Fact]
    public void Windows_line_endings_are_read()
    {
        Assert.Equal(["A=1", "B=2"], Parse("A=1\r\nB=2\r\n"));
    }

    [Theory]
    [InlineData("A=1\nthis is not an assignment\n", 2, 1, "expected NAME=VALUE, got 'this is not an assignment'.")]
    [InlineData("A=1\n\n1BAD=x\n", 3, 1, "expected NAME=VALUE, got '1BAD=x'.")]
    [InlineData("A='open\nB=2\n", 1, 3, "the quote ' opened here is never closed.")]
    [InlineData("A=\"x\" trailing\n", 1, 6, "unexpected text after the closing quote: 'trailing'.")]
    public void A_malformed_line_is_an_error_with_its_line_number(string text, int line, int column, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => DotEnvParser.Parse(text, File));

        var error = Assert.Single(e.Errors);
        Assert.Equal(new SourceLocation(File, line, column), error.Location);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'A', (byte)'=', (byte)'1', (byte)'\n', (byte)'B', (byte)'=', 0xC3, (byte)'(', (byte)'\n' }, 2, 3, "the byte 0xC3 is not valid UTF-8; save the file as UTF-8.")]
    [InlineData(new byte[] { (byte)'B', (byte)'=', 0xC3, 0xA9, 0xFF, (byte)'\n' }, 1, 4, "the byte 0xFF is not valid UTF-8; save the file as UTF-8.")]
    [InlineData(new byte[] { (byte)'A', (byte)'=', (byte)'1', (byte)'\n', (byte)'B', (byte)'=', (byte)'a', 0, (byte)'b', (byte)'\n' }, 2, 4, "the file holds a NUL character, which no file name, argument or environment variable can carry.")]
    public void Bytes_that_are_not_UTF8_text_or_a_NUL_are_refused_at_their_place(byte[] content, int line, int column, string message)
    {
        using var temp = new TempWorkspace();
        var path = Path.Combine(temp.Root, ".env");
        System.IO.File.WriteAllBytes(path, content);

        var e = Assert.Throws<ConfigurationException>(() => DotEnvParser.Read(path, null));

        var error = Assert.Single(e.Errors);
        Assert.Equal(new SourceLocation(path, line, column), error.Location);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_UTF8_byte_order_mark_is_not_part_of_the_first_name()
    {
        using var temp = new TempWorkspace();
        var path = Path.Combine(temp.Root, ".env");
        System.IO.File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "A=é\n"u8]);

        var entry = Assert.Single(DotEnvParser.Read(path, null));

        Assert.Equal(("A", "é"), (entry.Name, entry.Value));
    }
}
