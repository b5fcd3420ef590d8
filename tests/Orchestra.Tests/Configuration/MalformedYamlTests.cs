using Orchestra.Configuration;

namespace Orchestra.Tests.Configuration;

/// <summary>Whatever a YAML file holds, reading it ends in the model or in located configuration errors, never in a crash.</summary>
public sealed class MalformedYamlTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private (string File, ConfigurationError Error) ReadFails(string yaml)
    {
        var file = _workspace.Write("service.yml", yaml);
        var e = Assert.Throws<ConfigurationException>(() => ServiceConfigReader.Read(file));
        return (file, Assert.Single(e.Errors));
    }

    [Theory]
    [InlineData("args: [a\nport: 80\n", 1, 7, "invalid YAML: the '[' opened here is not closed: at line 2, column 1 a ',' or ']' was expected.")]
    [InlineData("env: {A: 1\nport: 80\n", 1, 6, "invalid YAML: the '{' opened here is not closed: at line 2, column 1 a ',' or '}' was expected.")]
    [InlineData("port: 80\nenv: {A: [1, 2\n", 2, 10, "invalid YAML: the '[' opened here is not closed: at line 3, column 1 a ',' or ']' was expected.")]
    [InlineData("port: 80\nenv: {A: 1\n", 2, 6, "invalid YAML: the '{' opened here is not closed: at line 3, column 1 a ',' or '}' was expected.")]
    public void An_unclosed_bracket_is_reported_where_it_opened(string yaml, int line, int column, string message)
    {
        var (file, error) = ReadFails(yaml);

        Assert.Equal(new SourceLocation(file, line, column), error.Location);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_tab_used_as_indentation_is_reported_on_its_line()
    {
        var (file, error) = ReadFails("port: 80\nenv:\n\tA: 1\n");

        Assert.Equal(new SourceLocation(file, 3, 1), error.Location);
        Assert.Equal("invalid YAML: While scanning a mapping, found invalid tab as indentation.", error.Message);
    }

    [Theory]
    [InlineData("port: 80\nenv:\n  : |\n    text\n  B: 1\n", 3, 3)]
    [InlineData("port: 80\nargs: [a]*x\n", 1, 1)]
    public void A_mapping_left_with_a_key_without_value_is_reported_at_the_mapping(string yaml, int line, int column)
    {
        var (file, error) = ReadFails(yaml);

        Assert.Equal(new SourceLocation(file, line, column), error.Location);
        Assert.Equal("invalid YAML: a key of this mapping has no value.", error.Message);
    }

    [Theory]
    [InlineData("{a: ", 4)]
    [InlineData("[", 1)]
    public void Nesting_deeper_than_the_limit_is_refused_instead_of_overflowing_the_stack(string opening, int width)
    {
        const int levels = 20_000;
        var closing = opening[0] == '{' ? "}" : "]";
        var (file, error) = ReadFails("env: " + string.Concat(Enumerable.Repeat(opening, levels)) + "1" + string.Concat(Enumerable.Repeat(closing, levels)) + "\n");

        // The root mapping is the first level and the first bracket the second, so the 32nd bracket goes too deep.
        Assert.Equal(new SourceLocation(file, 1, 6 + (31 * width)), error.Location);
        Assert.Equal("lists and mappings nest more than 32 levels deep here; a configuration needs a few.", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'p', (byte)':', (byte)' ', (byte)'1', (byte)'\n', (byte)'n', (byte)':', (byte)' ', 0xFF, (byte)'\n' }, 2, 4, "the byte 0xFF is not valid UTF-8; save the file as UTF-8.")]
    [InlineData(new byte[] { (byte)'p', (byte)':', (byte)' ', (byte)'1', (byte)'\n', (byte)'n', (byte)':', (byte)' ', (byte)'a', 0, (byte)'\n' }, 2, 5, "the file holds a NUL character, which no file name, argument or environment variable can carry.")]
    public void Bytes_that_are_not_UTF8_text_or_a_NUL_are_refused_at_their_place(byte[] content, int line, int column, string message)
    {
        var file = Path.Combine(_workspace.Root, "service.yml");
        File.WriteAllBytes(file, content);

        var e = Assert.Throws<ConfigurationException>(() => ServiceConfigReader.Read(file));

        var error = Assert.Single(e.Errors);
        Assert.Equal(new SourceLocation(file, line, column), error.Location);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_NUL_written_as_an_escape_is_refused_at_its_value()
    {
        var (file, error) = ReadFails("port: 80\nargs: [\"a\\0b\"]\n");

        Assert.Equal(new SourceLocation(file, 2, 8), error.Location);
        Assert.Equal("a value must not contain a NUL character, which no file name, argument or environment variable can carry.", error.Message);
    }

    /// <summary>
    /// Random edits of a valid file with YAML's punctuation: YamlDotNet throws more than YamlException on some of
    /// them, and every such path must end in an error located in the file.
    /// </summary>
    [Fact]
    public void Random_damage_to_a_valid_file_only_ever_gives_located_errors()
    {
        const string valid = """
            port: 5100
            env: { A: 1, B: "x", C: [a, b] }
            args: ['--verbose', "--flag"]
            health:
              http: /health
              interval: 1s
            stop: { signal: SIGTERM, timeout: 10s }
            depends_on:
              - a
              - b
            watch: { include: ["**/*.cs"], exclude: [] }
            build: |
              go build
            """;
        const string punctuation = "[]{},:-?#&*!|>'\"%@`\t \n\\a0";
        var random = new Random(20_000);
        var file = Path.Combine(_workspace.Root, "service.yml");
        for (var attempt = 0; attempt < 3000; attempt++)
        {
            var text = new System.Text.StringBuilder(valid);
            for (var edit = random.Next(1, 4); edit > 0; edit--)
            {
                var at = random.Next(text.Length);
                var c = punctuation[random.Next(punctuation.Length)];
                if (random.Next(2) == 0)
                    text.Insert(at, c);
                else
                    text[at] = c;
            }
            File.WriteAllText(file, text.ToString());
            var lines = text.ToString().Split('\n').Length;
            try
            {
                ServiceConfigReader.Read(file);
            }
            catch (ConfigurationException e)
            {
                Assert.All(e.Errors, error => Assert.True(
                    error.Location is { Line: >= 1, Column: >= 1 } at && at.File == file && at.Line <= lines + 1,
                    $"{error} does not point into the file:\n{text}"));
            }
        }
    }
}
