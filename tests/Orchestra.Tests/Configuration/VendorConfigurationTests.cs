using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.Configuration;

/// <summary>The keys of a vendor in orchestra.yml: how they read, and each mistake reported at its place.</summary>
public sealed class VendorConfigurationTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private ConfigurationError LoadFails() =>
        Assert.Single(Assert.Throws<ConfigurationException>(() => WorkspaceLoader.Load(_workspace.ConfigPath)).Errors);

    [Fact]
    public void Depends_on_health_stop_and_volumes_read_into_the_model()
    {
        _workspace.Write("orchestra.yml", """
            defaults: { stop_timeout: 7s }
            vendors:
              postgres:
                image: postgres:16
                ports: ["5432"]
                volumes: ["pgdata:/var/lib/postgresql/data", "./init:/docker-entrypoint-initdb.d:ro", "/srv/dumps/../backups:/backups:rw"]
                health: { command: "pg_isready -U postgres", interval: 500ms }
                stop: { signal: SIGINT }
              redis:
                image: redis:7
                ports: ["6379"]
                depends_on: postgres
                health: { tcp: true, timeout: 5s }
                stop: { timeout: 30s }
              mail:
                image: mailhog
                depends_on: [postgres, redis]
                health: none
            """);

        var vendors = WorkspaceLoader.Load(_workspace.ConfigPath).Vendors.ToDictionary(v => v.Name);

        var postgres = vendors["postgres"];
        Assert.Equal(
            [
                new VendorVolume("pgdata", "/var/lib/postgresql/data", ReadOnly: false, Named: true),
                new VendorVolume(Path.Combine(_workspace.Root, "init"), "/docker-entrypoint-initdb.d", ReadOnly: true, Named: false),
                new VendorVolume("/srv/backups", "/backups", ReadOnly: false, Named: false),
            ],
            postgres.Volumes);
        Assert.Equal(VendorHealthKind.Command, postgres.Health.Kind);
        Assert.Equal(["pg_isready", "-U", "postgres"], postgres.Health.Command);
        Assert.Equal(TimeSpan.FromMilliseconds(500), postgres.Health.Interval);
        Assert.Equal(HealthConfig.DefaultTimeout, postgres.Health.Timeout);
        Assert.Equal(new VendorStop("SIGINT", TimeSpan.FromSeconds(7)), postgres.Stop);
        Assert.Empty(postgres.DependsOn);

        var redis = vendors["redis"];
        Assert.Equal(["postgres"], redis.DependsOn.Select(d => d.Value));
        Assert.Equal(new SourceLocation(_workspace.ConfigPath, 12, 17), redis.DependsOn[0].Location);
        Assert.Equal((VendorHealthKind.Tcp, HealthConfig.DefaultInterval, TimeSpan.FromSeconds(5)), (redis.Health.Kind, redis.Health.Interval, redis.Health.Timeout));
        Assert.Empty(redis.Health.Command);
        // No signal: the image's own StopSignal, which only the container runner can read.
        Assert.Equal(new VendorStop(null, TimeSpan.FromSeconds(30)), redis.Stop);

        var mail = vendors["mail"];
        Assert.Equal(["postgres", "redis"], mail.DependsOn.Select(d => d.Value));
        Assert.Equal(VendorHealthKind.None, mail.Health.Kind);
        Assert.Equal(new VendorStop(null, TimeSpan.FromSeconds(7)), mail.Stop);
    }

    [Fact]
    public void Without_health_and_stop_a_vendor_is_healthy_once_running_and_stops_within_the_default_timeout()
    {
        _workspace.Write("orchestra.yml", "vendors:\n  redis: { image: redis:7 }\n");

        var redis = Assert.Single(WorkspaceLoader.Load(_workspace.ConfigPath).Vendors);

        Assert.Equal(VendorHealth.None, redis.Health);
        Assert.Equal(new VendorStop(null, ServiceDefaults.Standard.StopTimeout), redis.Stop);
        Assert.Empty(redis.Volumes);
    }

    [Theory]
    [InlineData("    health: { command: [pg_isready], tcp: true }\n", 4, 38, "health takes one check, command or tcp, but names both.")]
    [InlineData("    health: { tcp: true }\n", 4, 15, "vendor 'pg' has a tcp health check but no port to probe; add 'ports:'.")]
    [InlineData("    health: { tcp: yes }\n", 4, 20, "tcp must be true or false, got 'yes'.")]
    [InlineData("    health: { command: [] }\n", 4, 24, "command must name a program to run.")]
    [InlineData("    health: sometimes\n", 4, 13, "health must be 'none' or a mapping with command or tcp, got 'sometimes'.")]
    [InlineData("    health: { timeout: 5s }\n", 4, 13, "a vendor health check needs a command, such as 'command: [\"pg_isready\"]', or 'tcp: true'; 'health: none' has none.")]
    [InlineData("    health: { command: pg_isready, intervl: 1s }\n", 4, 36, "unknown key 'intervl'. Did you mean 'interval'?")]
    [InlineData("    stop: { signal: SIGTREM }\n", 4, 21, "signal must be one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGKILL, SIGUSR1, SIGUSR2, got 'SIGTREM'. Did you mean 'SIGTERM'?")]
    [InlineData("    stop: { timeout: 2h }\n", 4, 22, "timeout must be from 0s to 1h, got '2h'.")]
    [InlineData("    stop: { signl: SIGINT }\n", 4, 13, "unknown key 'signl'. Did you mean 'signal'?")]
    [InlineData("    stop: { drain: 1s }\n", 4, 13, "unknown key 'drain'. Expected one of: signal, timeout.")]
    [InlineData("    depend_on: [redis]\n", 4, 5, "unknown key 'depend_on'. Did you mean 'depends_on'?")]
    [InlineData("    depends_on: { redis: true }\n", 4, 17, "depends_on must be text or a list of text, got a mapping.")]
    [InlineData("    volumes: [pgdata]\n", 4, 15, "a vendor volume must be 'NAME:/container/path', '/host/path:/container/path' or './host/path:/container/path', optionally followed by ':ro', got 'pgdata'.")]
    [InlineData("    volumes: ['a:/b:ro:x']\n", 4, 15, "a vendor volume must be 'NAME:/container/path', '/host/path:/container/path' or './host/path:/container/path', optionally followed by ':ro', got 'a:/b:ro:x'.")]
    [InlineData("    volumes: ['pg data:/var/lib/postgresql/data']\n", 4, 15, "'pg data' is neither a volume name (a letter or digit, then letters, digits, '_', '.' or '-') nor a host path (absolute, or starting with ./ or ../).")]
    [InlineData("    volumes: ['~/data:/data']\n", 4, 15, "'~/data' is neither a volume name (a letter or digit, then letters, digits, '_', '.' or '-') nor a host path (absolute, or starting with ./ or ../).")]
    [InlineData("    volumes: ['pgdata:var/lib']\n", 4, 15, "the container path of a volume must be absolute, got 'var/lib'.")]
    [InlineData("    volumes: ['pgdata:/data:rx']\n", 4, 15, "the mode of a volume must be ro or rw, got 'rx'.")]
    [InlineData("    volumes: ['a:/data', './b:/data:ro']\n", 4, 26, "/data is already mounted by the volume 'a:/data'.")]
    public void A_wrong_vendor_key_is_reported_at_its_place(string yaml, int line, int column, string message)
    {
        var file = _workspace.Write("orchestra.yml", $"vendors:\n  pg:\n    image: postgres:16\n{yaml}");

        var error = LoadFails();

        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation(file, line, column), error.Location);
    }

    [Fact]
    public void A_vendor_depending_on_an_unknown_name_gets_a_suggestion_and_the_vendors()
    {
        var file = _workspace.Write("orchestra.yml", "vendors:\n  postgres: { image: postgres:16 }\n  redis: { image: redis:7, depends_on: [postgers] }\n");

        var error = LoadFails();

        Assert.Equal(new SourceLocation(file, 3, 41), error.Location);
        Assert.Equal("depends_on of vendor 'redis' names 'postgers', which is not a vendor. Did you mean 'postgres'? Vendors: postgres.", error.Message);
    }

    [Fact]
    public void A_vendor_depending_on_a_service_is_an_error_since_vendors_start_first()
    {
        var file = _workspace.Write("orchestra.yml", "vendors:\n  postgres: { image: postgres:16, depends_on: apy }\n");
        _workspace.Service("api");

        var error = LoadFails();

        Assert.Equal(new SourceLocation(file, 2, 47), error.Location);
        Assert.Equal("depends_on of vendor 'postgres' names 'apy', which is not a vendor. Vendors: none.", error.Message);

        _workspace.Write("orchestra.yml", "vendors:\n  postgres: { image: postgres:16 }\n  redis: { image: redis:7, depends_on: [api] }\n");

        Assert.Equal(
            "depends_on of vendor 'redis' names 'api', which is a service, and a vendor can only depend on vendors. Vendors: postgres.",
            LoadFails().Message);
    }

    [Fact]
    public void A_vendor_depending_on_itself_is_an_error()
    {
        var file = _workspace.Write("orchestra.yml", "vendors:\n  redis:\n    image: redis:7\n    depends_on: [redis]\n");

        var error = LoadFails();

        Assert.Equal(new SourceLocation(file, 4, 18), error.Location);
        Assert.Equal("vendor 'redis' depends on itself.", error.Message);
    }

    [Fact]
    public void A_cycle_between_vendors_is_printed()
    {
        var file = _workspace.Write("orchestra.yml", """
            vendors:
              a: { image: x, depends_on: [b] }
              b: { image: x, depends_on: [c] }
              c: { image: x, depends_on: [a] }
            """);

        var error = LoadFails();

        Assert.Equal(new SourceLocation(file, 4, 31), error.Location);
        Assert.Equal("depends_on makes a cycle: a -> b -> c -> a.", error.Message);
    }

    [Fact]
    public void Services_may_still_depend_on_vendors_that_depend_on_each_other()
    {
        _workspace.Write("orchestra.yml", "vendors:\n  postgres: { image: postgres:16 }\n  pgbouncer: { image: pgbouncer, depends_on: [postgres] }\n");
        _workspace.Service("api", "depends_on: [pgbouncer, postgres]\n");

        var workspace = WorkspaceLoader.Load(_workspace.ConfigPath);

        Assert.Equal(["pgbouncer", "postgres"], workspace.FindService("api")!.DependsOn);
    }
}
