using CliWrap;
using CliWrap.Buffered;
using Orchestra.Variables;

namespace Orchestra.Tests.Variables;

public sealed class SecretsAndQuotingTests
{
    [Theory]
    [InlineData("POSTGRES_PASSWORD", "dev", "****")]
    [InlineData("Api__Secret", "s3", "****")]
    [InlineData("GITHUB_TOKEN", "ghp_x", "****")]
    [InlineData("STRIPE_KEY", "sk", "****")]
    [InlineData("ConnectionStrings__db", "Host=h;Password=hunter2;Port=5", "Host=h;Password=****;Port=5")]
    [InlineData("DB", "Server=s;User Id=u;pwd = p@ss", "Server=s;User Id=u;pwd = ****")]
    [InlineData("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", "amqp://guest:****@127.0.0.1:5672/")]
    [InlineData("PORT", "5100", "5100")]
    [InlineData("EMPTY_SECRET", "", "")]
    public void Secrets_are_masked(string name, string value, string shown)
    {
        Assert.Equal(shown, SecretMasker.MaskValue(name, value));
    }

    [Fact]
    public async Task Export_lines_read_back_in_a_real_shell_to_the_same_values()
    {
        var values = new Dictionary<string, string>
        {
            ["PLAIN"] = "abc",
            ["SPACES"] = "a b  c",
            ["QUOTES"] = "it's \"quoted\"",
            ["DOLLARS"] = "$HOME ${PATH} `id` $(id)",
            ["NEWLINE"] = "line1\nline2",
            ["BACKSLASH"] = @"C:\path\",
            ["EMPTY"] = "",
        };
        var script = string.Join("\n", values.Select(v => ShellQuoting.Export(v.Key, v.Value)))
            + "\n" + string.Join("\n", values.Keys.Select(k => $"printf '%s\\0' \"${k}\""));

        var result = await CliWrap.Cli.Wrap("/bin/sh").WithArguments(["-c", script]).ExecuteBufferedAsync();

        Assert.Equal(values.Values, result.StandardOutput.Split('\0')[..^1]);
    }

    [Theory]
    [InlineData("services__api__http__0", true)]
    [InlineData("Logging.Level", false)]
    [InlineData("my-var", false)]
    [InlineData("1ABC", false)]
    public void Only_names_a_shell_accepts_are_exported(string name, bool exported) =>
        Assert.Equal(exported, ShellQuoting.IsShellName(name));
}
