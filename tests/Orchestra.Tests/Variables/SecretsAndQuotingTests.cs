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
    [InlineData("REDIS_URL", "redis://:pw@redis:6379", "redis://:****@redis:6379")]
    [InlineData("DATABASE_URL", "postgres://u:p@ss@db:5432/app?sslmode=require&password=x", "postgres://u:****@db:5432/app?sslmode=require&password=****")]
    [InlineData("API", "https://api.example.com/v1?user=me&api_key=abc&x=1#t", "https://api.example.com/v1?user=me&api_key=****&x=1#t")]
    [InlineData("CALLBACK", "https://app.example.com/cb#access_token=abc&state=s", "https://app.example.com/cb#access_token=****&state=s")]
    [InlineData("PLAIN_URL", "postgres://postgres@db:5432/app?sslmode=require", "postgres://postgres@db:5432/app?sslmode=require")]
    [InlineData("BROKERS", "amqp://u:a@h1,amqp://u:b@h2", "amqp://u:****@h1,amqp://u:****@h2")]
    [InlineData("ConnectionStrings__db", "Password='pw;x'", "Password=****")]
    [InlineData("ConnectionStrings__db", "Password='it''s;x';Host=h", "Password=****;Host=h")]
    [InlineData("ConnectionStrings__db", "Host=h;Password=\"a \"\"b\"\";c\";Port=5", "Host=h;Password=****;Port=5")]
    [InlineData("ConnectionStrings__db", "Server=tcp:h,1433;User Id=u;Pwd=p;Encrypt=true", "Server=tcp:h,1433;User Id=u;Pwd=****;Encrypt=true")]
    [InlineData("ConnectionStrings__storage", "AccountName=dev;AccountKey=abc==;EndpointSuffix=core", "AccountName=dev;AccountKey=****;EndpointSuffix=core")]
    [InlineData("ConnectionStrings__cache", "redis:6379,ssl=true,password=xyz,abortConnect=false", "redis:6379,ssl=true,password=****,abortConnect=false")]
    [InlineData("ConnectionStrings__queue", "Endpoint=amqp://u:pw@mq:5672/;Timeout=5", "Endpoint=amqp://u:****@mq:5672/;Timeout=5")]
    [InlineData("GREETING", "it's = fine; really", "it's = fine; really")]
    public void Secrets_are_masked(string name, string value, string shown)
    {
        Assert.Equal(shown, SecretMasker.MaskValue(name, value));
    }

    [Theory]
    [InlineData("DB_PWD")]
    [InlineData("GITHUB_PAT")]
    [InlineData("API_KEY")]
    [InlineData("ApiKey")]
    [InlineData("APIKey")]
    [InlineData("clientSecret")]
    [InlineData("Jwt:SigningKey")]
    [InlineData("Smtp__Passwd")]
    [InlineData("SMTP_PASS")]
    [InlineData("AZURE_CREDENTIALS")]
    [InlineData("AUTH_HEADER")]
    [InlineData("BEARER")]
    [InlineData("PRIVATE_KEY_PEM")]
    [InlineData("DBPASSWORD")]
    [InlineData("NPM_AUTHTOKEN")]
    [InlineData("db.password")]
    [InlineData("User Password")]
    public void Names_with_a_secret_word_are_secret(string name) => Assert.True(SecretNames.IsSecret(name));

    [Theory]
    [InlineData("PATH")]
    [InlineData("KEYBOARD_LAYOUT")]
    [InlineData("PWD")]
    [InlineData("OLDPWD")]
    [InlineData("SSH_AUTH_SOCK")]
    [InlineData("AUTHOR")]
    [InlineData("TOKENIZER_MODEL")]
    [InlineData("COMPASS_HEADING")]
    [InlineData("MONKEY")]
    [InlineData("ASPNETCORE_URLS")]
    [InlineData("Authentication")]
    [InlineData("User Id")]
    public void Names_that_only_contain_a_secret_word_are_not(string name) => Assert.False(SecretNames.IsSecret(name));

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
