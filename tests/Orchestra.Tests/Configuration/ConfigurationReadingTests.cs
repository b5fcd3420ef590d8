using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.Configuration;

public sealed class ConfigurationReadingTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void The_spec_example_of_orchestra_yml_reads_into_the_model()
    {
        _workspace.Write("orchestra.yml", """
            name: shop
            env: { ASPNETCORE_ENVIRONMENT: Development, RETRIES: 3, VERBOSE: true }
            env_file: [.env]
            services: ["*", "src/*"]
            before: ["echo global before"]
            after: []
            commands:
              start: { env: { FEATURE_X: "1" }, before: ["echo start"], after: [] }
            vendors:
              postgres:
                image: postgres:16
                ports: ["15432:5432", 6543]
                env: { POSTGRES_PASSWORD: dev }
                volumes: ["pgdata:/var/lib/postgresql/data"]
                health: { command: ["pg_isready", "-U", "postgres"], interval: 1s, timeout: 60s }
                connection_string: "Host=${host};Port=${port};Username=postgres;Password=dev"
            acceptance: [tests/Shop.Acceptance]
            defaults: { restart: always, stop_timeout: 1m30s }
            """);

        var config = WorkspaceConfigReader.Read(_workspace.ConfigPath);

        Assert.Equal("shop", config.Name);
        Assert.Equal(["ASPNETCORE_ENVIRONMENT=Development", "RETRIES=3", "VERBOSE=true"], config.Env.Select(e => $"{e.Name}={e.Value}"));
        Assert.Equal([".env"], config.EnvFiles.Select(f => f.Value));
        Assert.Equal(["*", "src/*"], config.ServiceGlobs);
        Assert.Equal(["echo global before"], config.Hooks.Before);
        Assert.Equal(["echo start"], config.Commands["start"].Hooks.Before);
        Assert.Equal("FEATURE_X", Assert.Single(config.Commands["start"].Env).Name);
        var postgres = Assert.Single(config.Vendors);
        Assert.Equal("postgres:16", postgres.Image);
        Assert.Equal([new VendorPort(5432, 15432), new VendorPort(6543, null)], postgres.Ports);
        Assert.Equal(["pg_isready", "-U", "postgres"], postgres.Health!.Command);
        Assert.Equal(TimeSpan.FromSeconds(60), postgres.Health.Timeout);
        Assert.Equal(["tests/Shop.Acceptance"], config.Acceptance);
        Assert.Equal(new ServiceDefaults(RestartPolicy.Always, TimeSpan.FromSeconds(90)), config.Defaults);
    }

    [Fact]
    public void The_spec_example_of_service_yml_reads_into_the_model()
    {
        _workspace.Write("orchestra.yml", "defaults: { stop_timeout: 3s }\n");
        _workspace.Service("orders", """
            command: ["./bin/orders", "--flag"]
            build: go build -o "bin/orders"
            args: ["--verbose"]
            env: { Logging__LogLevel__Default: Debug }
            env_file: .env
            port: 5100
            scale: 0
            depends_on: [catalog]
            health: { http: /health, interval: 500ms }
            restart: always
            stop: { signal: SIGINT }
            watch: { include: ["**/*.cs"], exclude: ["**/bin/**"], test: true }
            tests: [../Orders.Tests]
            docker: { image: mcr.microsoft.com/dotnet/aspnet:10.0 }
            proxy: false
            framework: net10.0
            """);
        _workspace.Write("orders/.env", "ORDERS_DB=orders\n");
        _workspace.Write("Orders.Tests/Orders.Tests.csproj", "<Project />");
        _workspace.Service("catalog");

        var orders = WorkspaceLoader.Load(_workspace.ConfigPath).FindService("orders")!;

        Assert.Equal(ServiceKind.Command, orders.Kind);
        Assert.Equal(["./bin/orders", "--flag"], orders.Config.Command);
        Assert.Equal(["go", "build", "-o", "bin/orders"], orders.Config.Build);
        Assert.Equal(5100, orders.Port);
        Assert.Equal(0, orders.Scale);
        Assert.False(orders.UsesProxy);
        Assert.Equal(["catalog"], orders.DependsOn);
        Assert.Equal(new HealthConfig(HealthKind.Http, "/health", TimeSpan.FromMilliseconds(500), HealthConfig.DefaultTimeout), orders.Health with { Location = null });
        Assert.Equal(RestartPolicy.Always, orders.Restart);
        Assert.Equal("SIGINT", orders.Config.Stop.Signal);
        Assert.Equal(TimeSpan.FromSeconds(3), orders.StopTimeout);
        Assert.True(orders.Config.Watch.Test);
        Assert.Equal(["**/bin/**"], orders.Config.Watch.Exclude);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", orders.Config.DockerImage);
        Assert.Equal(["../Orders.Tests"], orders.Config.Tests.Select(t => t.Value));
        Assert.False(orders.Config.Proxy);
        Assert.Equal("net10.0", orders.Config.Framework);
        Assert.Equal(Path.Combine(_workspace.Root, "orders", "orders.csproj"), orders.ProjectPath);
    }

    [Fact]
    public void An_empty_service_yml_is_a_valid_project_service_with_defaults()
    {
        _workspace.Write("orchestra.yml", "");
        _workspace.Service("api");

        var api = Assert.Single(WorkspaceLoader.Load(_workspace.ConfigPath).Services);

        Assert.Equal("api", api.Name);
        Assert.Equal(ServiceKind.Project, api.Kind);
        Assert.Equal(1, api.Scale);
        Assert.Null(api.Port);
        Assert.Equal(HealthKind.None, api.Health.Kind);
        Assert.Equal(RestartPolicy.OnFailure, api.Restart);
        Assert.Equal(TimeSpan.FromSeconds(10), api.StopTimeout);
    }

    [Fact]
    public void A_service_with_a_port_defaults_to_a_tcp_health_check()
    {
        _workspace.Write("orchestra.yml", "");
        _workspace.Service("api", "port: 5000\nhealth: { timeout: 5s }\n");

        var api = Assert.Single(WorkspaceLoader.Load(_workspace.ConfigPath).Services);

        Assert.Equal(HealthKind.Tcp, api.Health.Kind);
        Assert.Equal(TimeSpan.FromSeconds(5), api.Health.Timeout);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1m30s", 90_000)]
    public void Durations_parse_like_docker_compose(string text, int milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
        Assert.True(DurationParser.TryParse(DurationParser.Format(duration), out var again));
        Assert.Equal(duration, again);
    }

    [Theory]
    [InlineData("10x")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("")]
    public void Malformed_durations_do_not_parse(string text) => Assert.False(DurationParser.TryParse(text, out _));
}
