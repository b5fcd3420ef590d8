using System.Net.Sockets;
using System.Text;
using Orchestra.Testing.Docker;

namespace Orchestra.Tests.Docker;

/// <summary>
/// The test images that tests/images/build.sh assembles from Debian's packages, run as the vendor tests run them:
/// redis answers on its published port and to its health command, postgres takes a password over TCP and keeps its
/// data in a named volume across containers.
/// </summary>
public sealed class TestImageTests
{
    [SkippableFact]
    public async Task Redis_answers_PING_on_its_published_port_and_to_redis_cli_inside()
    {
        await DockerRequirement.EnsureAsync(TestImages.Redis);
        using var workspace = new TempWorkspace();
        await using var cleanup = new DockerCleanup(workspace.Root);

        var redis = await DockerCli.RunAsync("run", "-d", "--label", cleanup.Label, "-p", "127.0.0.1::6379", TestImages.Redis);
        var port = await DockerCli.PublishedPortAsync(redis, 6379);

        // Docker's proxy takes the connection before redis listens, and closes it: a reply is the proof.
        await Eventually.TrueAsync(async () => await PingAsync(port) == "+PONG", $"redis to answer PING on port {port}");
        Assert.Equal("PONG", await DockerCli.RunAsync("exec", redis, "redis-cli", "ping"));
        Assert.Equal("sh", await DockerCli.RunAsync("exec", redis, "sh", "-c", "echo sh"));
    }

    [SkippableFact]
    public async Task Postgres_takes_its_password_over_TCP_and_keeps_its_data_in_a_named_volume()
    {
        await DockerRequirement.EnsureAsync(TestImages.Postgres);
        using var workspace = new TempWorkspace();
        await using var cleanup = new DockerCleanup(workspace.Root);
        var volume = await DockerCli.RunAsync("volume", "create", "--label", cleanup.Label);

        var first = await StartPostgresAsync(cleanup, volume);
        await PsqlAsync(first, "secret", "create table kept (x int); insert into kept values (42)");
        var refused = await DockerCli.TryRunAsync(PsqlArgs(first, "wrong", "select 1"));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("password authentication failed", refused.Error);
        // PID 1, postgres, runs as uid 999: read with the shell's builtins, the image has no ps.
        var uids = await DockerCli.RunAsync("exec", first, "sh", "-c", "while read -r key real _; do if [ \"$key\" = Uid: ]; then echo \"$real\"; fi; done </proc/1/status");
        Assert.Equal("999", uids);
        await DockerCli.RunAsync("rm", "-f", first);

        var second = await StartPostgresAsync(cleanup, volume);
        Assert.Equal("42", await PsqlAsync(second, "secret", "select x from kept"));
    }

    private static async Task<string> StartPostgresAsync(DockerCleanup cleanup, string volume)
    {
        var postgres = await DockerCli.RunAsync("run", "-d", "--label", cleanup.Label, "-e", "POSTGRES_PASSWORD=secret",
            "-v", $"{volume}:/var/lib/postgresql/data", "-p", "127.0.0.1::5432", TestImages.Postgres);
        await Eventually.TrueAsync(async () => (await DockerCli.TryRunAsync("exec", postgres, "pg_isready", "-U", "postgres")).ExitCode == 0,
            "postgres to be ready");
        return postgres;
    }

    /// <summary>psql over TCP (password authentication), not the Unix socket (trusted).</summary>
    private static string[] PsqlArgs(string container, string password, string sql) =>
        ["exec", "-e", $"PGPASSWORD={password}", container, "psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-Atc", sql];

    private static Task<string> PsqlAsync(string container, string password, string sql) => DockerCli.RunAsync(PsqlArgs(container, password, sql));

    /// <summary>Redis's reply to PING, or null when the connection closed without one.</summary>
    private static async Task<string?> PingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer).AsTask().WithDeadline();
            return read == 0 ? null : Encoding.ASCII.GetString(buffer, 0, read).TrimEnd();
        }
        catch (IOException)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
