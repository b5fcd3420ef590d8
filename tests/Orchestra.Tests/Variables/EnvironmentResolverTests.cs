using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.State;
using Orchestra.Tests.Support;
using Orchestra.Variables;

namespace Orchestra.Tests.Variables;

public sealed class EnvironmentResolverTests : IDisposable
{
    private readonly TempWorkspace _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly Dictionary<string, string> Inherited = new()
    {
        ["HOME"] = "/home/me",
        ["L0"] = "inherited",
        ["L1"] = "inherited",
        ["L2"] = "inherited",
        ["L3"] = "inherited",
        ["L4"] = "inherited",
        ["L5"] = "inherited",
        ["PORT"] = "inherited",
    };

    /// <summary>Resolves as the supervisor does for a replica listening on <paramref name="replicaPort"/>.</summary>
    private ReplicaEnvironment Resolve(string service, string command = "start", int? replicaPort = null, VendorNetwork network = VendorNetwork.Loopback)
    {
        var workspace = WorkspaceLoader.Load(_temp.ConfigPath);
        var vendorPorts = new VendorPortAssignments(workspace.StateDirectory).Known(workspace.Vendors);
        return new EnvironmentResolver(workspace, Inherited, vendorPorts, network).Resolve(workspace.FindService(service)!, command, replicaPort: replicaPort);
    }

    [Fact]
    public void Each_layer_overrides_the_ones_below_in_the_documented_order()
    {
        _temp.Write(".env", "L1=global-env-file\nL2=global-env-file\nL3=global-env-file\nL4=global-env-file\nL5=global-env-file\nPORT=global-env-file\n");
        _temp.Write("orchestra.yml", """
            env_file: .env
            env: { L2: global-env, L3: global-env, L4: global-env, L5: global-env, PORT: global-env }
            commands:
              start: { env: { L3: command-env, L4: command-env, L5: command-env, PORT: command-env } }
            """);
        _temp.Write("api/.env", "L4=service-env-file\nL5=service-env-file\n");
        _temp.Service("api", "port: 5100\nenv_file: .env\nenv: { L5: service-env }\n");

        var env = Resolve("api", replicaPort: 41873);

        Assert.Equal("inherited", env["L0"]);
        Assert.Equal("global-env-file", env["L1"]);
        Assert.Equal("global-env", env["L2"]);
        Assert.Equal("command-env", env["L3"]);
        Assert.Equal("41873", env["PORT"]);
        Assert.Equal("service-env-file", env["L4"]);
        Assert.Equal("service-env", env["L5"]);
        Assert.Equal(
            [VariableOrigin.Inherited, VariableOrigin.WorkspaceEnvFile, VariableOrigin.WorkspaceEnv, VariableOrigin.CommandEnv, VariableOrigin.ServiceEnvFile, VariableOrigin.ServiceEnv, VariableOrigin.Injected],
            new[] { "L0", "L1", "L2", "L3", "L4", "L5", "PORT" }.Select(n => env.Variables.Single(v => v.Name == n).Origin));
    }

    [Fact]
    public void Command_env_applies_only_to_its_command()
    {
        _temp.Write("orchestra.yml", "commands:\n  test: { env: { L3: for-tests } }\n");
        _temp.Service("api");

        Assert.Equal("inherited", Resolve("api", "start")["L3"]);
        Assert.Equal("for-tests", Resolve("api", "test")["L3"]);
    }

    [Fact]
    public void References_expand_from_lower_layers_including_injected_ones()
    {
        _temp.Write("orchestra.yml", "env: { DATA: '${HOME}/data' }\n");
        _temp.Service("api", "port: 5100\nenv: { SELF: 'http://127.0.0.1:${PORT}/', DATA: '${DATA}/api' }\n");

        var env = Resolve("api", replicaPort: 41873);

        Assert.Equal("http://127.0.0.1:41873/", env["SELF"]);
        Assert.Equal("/home/me/data/api", env["DATA"]);
    }

    [Fact]
    public void Orchestra_injects_ports_names_environment_service_addresses_and_vendor_connections()
    {
        _temp.Write("orchestra.yml", """
            vendors:
              my-db:
                image: postgres:16
                ports: ["15432:5432"]
                connection_string: "Host=${host};Port=${port};Password=dev"
            """);
        _temp.Service("api", "port: 5100\n");
        _temp.Service("web", "port: 5200\ndepends_on: [api, my-db]\n");
        _temp.Service("worker", "env: { ASPNETCORE_ENVIRONMENT: Staging }\n");

        var web = Resolve("web", replicaPort: 41873);
        var worker = Resolve("worker");

        Assert.Equal("41873", web["PORT"]);
        Assert.Equal("http://127.0.0.1:41873", web["ASPNETCORE_URLS"]);
        Assert.Equal("web", web["ORCHESTRA_SERVICE"]);
        Assert.Equal("0", web["ORCHESTRA_REPLICA"]);
        Assert.Equal("Development", web["DOTNET_ENVIRONMENT"]);
        Assert.Equal("http://127.0.0.1:5100", web["services__api__http__0"]);
        Assert.Null(web["services__web__http__0"]);
        Assert.Equal("Host=127.0.0.1;Port=15432;Password=dev", web["ConnectionStrings__my-db"]);
        Assert.Equal("127.0.0.1", web["MY_DB_HOST"]);
        Assert.Equal("15432", web["MY_DB_PORT"]);
        Assert.Equal(VariableOrigin.Inherited, worker.Variables.Single(v => v.Name == "PORT").Origin);
        Assert.Equal("Staging", worker["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("http://127.0.0.1:5200", worker["services__web__http__0"]);
    }

    [Fact]
    public void The_discovery_environment_of_acceptance_tests_tells_every_service_and_vendor_with_the_test_command_env()
    {
        _temp.Write("orchestra.yml", """
            commands:
              test: { env: { BASE: 'from-test' } }
            vendors:
              my-db:
                image: postgres:16
                ports: ["15432:5432"]
                connection_string: "Host=${host};Port=${port}"
            """);
        _temp.Service("api", "port: 5100\n");
        _temp.Service("web", "port: 5200\n");
        _temp.Service("worker");
        var workspace = WorkspaceLoader.Load(_temp.ConfigPath);

        var env = new EnvironmentResolver(workspace, Inherited, new VendorPortAssignments(workspace.StateDirectory).Known(workspace.Vendors)).ResolveDiscovery("test");

        Assert.Equal("http://127.0.0.1:5100", env["services__api__http__0"]);
        Assert.Equal("http://127.0.0.1:5200", env["services__web__http__0"]);
        Assert.DoesNotContain("services__worker__http__0", env.Keys);
        Assert.Equal("Host=127.0.0.1;Port=15432", env["ConnectionStrings__my-db"]);
        Assert.Equal("15432", env["MY_DB_PORT"]);
        Assert.Equal("from-test", env["BASE"]);
        Assert.Equal("/home/me", env["HOME"]);
        // What is one replica's own (its port, its name) is no test's business.
        Assert.Equal("inherited", env["PORT"]);
        Assert.DoesNotContain("ORCHESTRA_SERVICE", env.Keys);
    }

    [Fact]
    public void A_vendor_port_without_a_host_side_is_the_assigned_one_and_a_placeholder_before_any_assignment()
    {
        _temp.Write("orchestra.yml", """
            vendors:
              postgres:
                image: postgres:16
                ports: ["5432", "15433:5433"]
                connection_string: "Host=${host};Port=${port}"
              cache: { image: redis:7, ports: ["16379:6379"] }
            """);
        _temp.Service("api");

        var before = Resolve("api");
        var assigned = new VendorPortAssignments(_temp.StateDirectory).Assign(WorkspaceLoader.Load(_temp.ConfigPath).Vendors);
        var after = Resolve("api");

        Assert.Equal($"Host=127.0.0.1;Port={EnvironmentResolver.VendorPortChosenAtStart}", before["ConnectionStrings__postgres"]);
        Assert.Equal(EnvironmentResolver.VendorPortChosenAtStart, before["POSTGRES_PORT"]);
        Assert.Equal("16379", before["CACHE_PORT"]);
        var host = assigned.HostPort("postgres", 5432);
        Assert.NotNull(host);
        Assert.Equal($"Host=127.0.0.1;Port={host}", after["ConnectionStrings__postgres"]);
        Assert.Equal("127.0.0.1", after["POSTGRES_HOST"]);
        Assert.Equal($"{host}", after["POSTGRES_PORT"]);
    }

    [Fact]
    public void In_containers_mode_a_service_reaches_a_vendor_by_its_name_and_container_port()
    {
        _temp.Write("orchestra.yml", """
            vendors:
              my-db:
                image: postgres:16
                ports: ["15432:5432"]
                connection_string: "Host=${host};Port=${port}"
            """);
        _temp.Service("api");

        var api = Resolve("api", network: VendorNetwork.Containers);

        Assert.Equal("Host=my-db;Port=5432", api["ConnectionStrings__my-db"]);
        Assert.Equal("my-db", api["MY_DB_HOST"]);
        Assert.Equal("5432", api["MY_DB_PORT"]);
    }

    [Fact]
    public void In_containers_mode_a_replica_listens_on_every_interface_at_its_services_port_and_reaches_the_others_by_name()
    {
        _temp.Write("orchestra.yml", "name: x\n");
        _temp.Service("catalog", "port: 5101\n");
        _temp.Service("storefront", "port: 5102\nenv: { SELF: 'http://storefront:${PORT}/' }\n");
        _temp.Service("direct", "port: 5300\nproxy: false\n");
        _temp.Service("worker");

        // The replica port (the host port its container's is published on) is the proxy's business, not the replica's.
        var storefront = Resolve("storefront", replicaPort: 41873, network: VendorNetwork.Containers);
        var direct = Resolve("direct", network: VendorNetwork.Containers);
        var worker = Resolve("worker", network: VendorNetwork.Containers);

        Assert.Equal("5102", storefront["PORT"]);
        Assert.Equal("http://0.0.0.0:5102", storefront["ASPNETCORE_URLS"]);
        Assert.Equal("http://storefront:5102/", storefront["SELF"]);
        Assert.Equal("http://catalog:5101", storefront["services__catalog__http__0"]);
        Assert.Equal("http://direct:5300", storefront["services__direct__http__0"]);
        Assert.Equal("http://0.0.0.0:5300", direct["ASPNETCORE_URLS"]);
        Assert.Equal("http://storefront:5102", worker["services__storefront__http__0"]);
        Assert.Null(worker["PORT"]);
        Assert.Null(worker["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void In_containers_mode_the_shells_environment_expands_references_but_is_not_passed_into_the_container()
    {
        _temp.Write("orchestra.yml", "name: x\nenv: { DATA: '${HOME}/data' }\n");
        _temp.Service("api", "port: 5100\n");

        var api = Resolve("api", network: VendorNetwork.Containers);
        var onHost = Resolve("api", replicaPort: 41873);

        Assert.Equal("/home/me/data", api["DATA"]);
        Assert.Null(api["HOME"]);
        Assert.Null(api["L0"]);
        Assert.DoesNotContain(api.Variables, v => v.Origin == VariableOrigin.Inherited);
        Assert.Equal("/home/me", onHost["HOME"]);
        Assert.Equal("http://127.0.0.1:41873", onHost["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void Without_its_port_a_replica_behind_the_proxy_is_told_it_is_chosen_at_start_and_one_without_the_proxy_gets_the_service_port()
    {
        _temp.Write("orchestra.yml", "name: x\n");
        _temp.Service("api", "port: 5100\nenv: { SELF: 'http://127.0.0.1:${PORT}/' }\n");
        _temp.Service("direct", "port: 5300\nproxy: false\n");

        var api = Resolve("api");
        var direct = Resolve("direct");

        Assert.Equal(EnvironmentResolver.PortChosenAtStart, api["PORT"]);
        Assert.Equal($"http://127.0.0.1:{EnvironmentResolver.PortChosenAtStart}/", api["SELF"]);
        Assert.Equal("5300", direct["PORT"]);
        Assert.Equal("http://127.0.0.1:5300", direct["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void A_missing_env_file_is_an_error_at_the_line_that_names_it()
    {
        var config = _temp.Write("orchestra.yml", "name: x\nenv_file: [missing.env]\n");
        _temp.Service("api");

        var e = Assert.Throws<ConfigurationException>(() => Resolve("api"));

        var error = Assert.Single(e.Errors);
        Assert.Equal(new SourceLocation(config, 2, 12), error.Location);
        Assert.Equal($"the env file {Path.Combine(_temp.Root, "missing.env")} does not exist.", error.Message);
    }
}
