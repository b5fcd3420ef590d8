using Orchestra.Discovery;
using Orchestra.State;
using Orchestra.Tests.Support;
using Orchestra.Vendors.Vendors;

namespace Orchestra.Tests.Vendors;

/// <summary>What a vendor becomes in Docker, and the order vendors come up in; no engine needed.</summary>
public sealed class VendorPlanTests : IDisposable
{
    private readonly TempWorkspace _temp = new();

    private Workspace Load(string vendors)
    {
        _temp.Write("orchestra.yml", $"name: Shop Floor\nvendors:\n{vendors}");
        return WorkspaceLoader.Load(_temp.ConfigPath);
    }

    [Fact]
    public void Vendors_come_up_in_depends_on_waves_with_what_the_named_ones_need()
    {
        var workspace = Load("""
              db: { image: postgres:16 }
              cache: { image: redis:7 }
              queue: { image: rabbitmq:3, depends_on: [db] }
              search: { image: opensearch:2, depends_on: [queue, cache] }
            """);

        Assert.Equal([["db", "cache"], ["queue"], ["search"]], VendorSelection.Waves(workspace, []).Select(w => w.Select(v => v.Name).ToList()));
        Assert.Equal([["db"], ["queue"]], VendorSelection.Waves(workspace, ["queue"]).Select(w => w.Select(v => v.Name).ToList()));
    }

    [Fact]
    public void Start_brings_up_every_vendor_for_the_whole_workspace_else_those_the_selected_services_depend_on()
    {
        _temp.Service("api", "command: ['/bin/true']\ndepends_on: [db]\n", withProject: false);
        _temp.Service("web", "command: ['/bin/true']\n", withProject: false);
        var workspace = Load("  db: { image: postgres:16 }\n  cache: { image: redis:7 }\n");
        ServiceDefinition Service(string name) => workspace.FindService(name)!;

        Assert.Equal(["db", "cache"], VendorSelection.ForStart(workspace, [Service("api"), Service("web")], everything: true));
        Assert.Equal(["db"], VendorSelection.ForStart(workspace, [Service("api")], everything: false));
        Assert.Empty(VendorSelection.ForStart(workspace, [Service("web")], everything: false));
    }

    [Fact]
    public void A_vendors_container_is_named_for_the_workspace_publishes_the_assigned_ports_and_owns_its_named_volumes()
    {
        var workspace = Load("""
              db:
                image: postgres:16
                ports: ["5432", "15433:5433"]
                env: { POSTGRES_PASSWORD: dev }
                volumes: ["pgdata:/var/lib/postgresql/data", "./init:/docker-entrypoint-initdb.d:ro"]
                stop: { signal: SIGINT, timeout: 3s }
            """);
        var ports = new VendorPortAssignments(workspace.StateDirectory).Assign(workspace.Vendors);

        var spec = VendorContainers.SpecOf(workspace, workspace.Vendors.Single(), ports);

        Assert.Equal("orchestra-shop-floor-db", spec.Name);
        Assert.Equal([(5432, ports.HostPort("db", 5432)!.Value), (5433, 15433)], spec.Ports.Select(p => (p.ContainerPort, p.HostPort)));
        Assert.Equal(["orchestra-shop-floor-pgdata:/var/lib/postgresql/data", $"{_temp.Root}/init:/docker-entrypoint-initdb.d:ro"], spec.Volumes);
        Assert.Equal(("SIGINT", TimeSpan.FromSeconds(3)), (spec.StopSignal, spec.StopTimeout));
        Assert.Equal(_temp.Root, spec.Workspace);
    }

    [Fact]
    public void The_configuration_hash_changes_with_what_makes_the_container_and_not_with_health()
    {
        var workspace = Load("  db: { image: postgres:16, env: { A: '1' }, health: { command: [pg_isready] } }\n");
        var ports = new VendorPortAssignments(workspace.StateDirectory).Assign(workspace.Vendors);
        var hash = VendorContainers.SpecOf(workspace, workspace.Vendors.Single(), ports).ConfigurationHash;

        string HashOf(string vendors)
        {
            var changed = Load(vendors);
            return VendorContainers.SpecOf(changed, changed.Vendors.Single(), new VendorPortAssignments(changed.StateDirectory).Assign(changed.Vendors)).ConfigurationHash;
        }

        Assert.Equal(hash, HashOf("  db: { image: postgres:16, env: { A: '1' }, health: { command: [pg_isready, -q], interval: 5s } }\n"));
        Assert.NotEqual(hash, HashOf("  db: { image: postgres:16, env: { A: '2' } }\n"));
        Assert.NotEqual(hash, HashOf("  db: { image: postgres:17, env: { A: '1' } }\n"));
        Assert.NotEqual(hash, HashOf("  db: { image: postgres:16, env: { A: '1' }, volumes: ['data:/data'] }\n"));
    }

    public void Dispose() => _temp.Dispose();
}
