using Orchestra.EndToEnd.Tests.Support;
using Orchestra.Testing.Docker;

namespace Orchestra.EndToEnd.Tests.Vendors;

/// <summary>
/// The workspace of one test of vendors: a name of its own (the containers carry it), its fleet, the vendors of the
/// test images, and on dispose the removal of every container, network and volume with its label.
/// </summary>
public sealed class VendorWorkspace : IAsyncLifetime
{
    private DockerCleanup? _cleanup;

    public TestFleet Fleet { get; } = new("vendors");

    public string Name { get; } = $"vt{Guid.NewGuid():N}"[..12];

    public string Container(string vendor) => $"orchestra-{Name}-{vendor}";

    public static string Postgres(string more = "") => $$"""
          postgres:
            image: {{TestImages.Postgres}}
            ports: ["5432"]
            env: { POSTGRES_PASSWORD: dev }
            volumes: ["pgdata:/var/lib/postgresql/data"]
            health: { command: [pg_isready, -h, 127.0.0.1, -U, postgres], interval: 200ms }
            connection_string: "Host=${host};Port=${port};Username=postgres;Password=dev;Pooling=false"
        {{more}}
        """;

    public static string Redis(string more = "") => $$"""
          redis:
            image: {{TestImages.Redis}}
            ports: ["6379"]
            health: { command: [redis-cli, ping], interval: 200ms }
            connection_string: "${host}:${port}"
        {{more}}
        """;

    /// <summary>Writes orchestra.yml with these vendors.</summary>
    public void Vendors(string vendors) => Fleet.Write("orchestra.yml", $"name: {Name}\nvendors:\n{vendors}");

    /// <summary>The names of the workspace's containers, running or not.</summary>
    public async Task<IReadOnlyList<string>> ContainersAsync() =>
        (await DockerCli.RunAsync("ps", "-a", "--filter", $"label=orchestra.workspace={Fleet.Root}", "--format", "{{.Names}}"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public async Task InitializeAsync()
    {
        await DockerRequirement.EnsureAsync(TestImages.Redis, TestImages.Postgres);
        _cleanup = new DockerCleanup(Fleet.Root);
    }

    public async Task DisposeAsync()
    {
        await Fleet.DisposeAsync();
        if (_cleanup is not null)
            await _cleanup.DisposeAsync();
    }
}
