using System.Text.Json;
using Orchestra.Discovery;
using Orchestra.State;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.CommandLine;

/// <summary>The real CLI, run in-process: commands, global options, hooks and exit codes.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempWorkspace _temp = new();

    public CliTests()
    {
        _temp.Write("orchestra.yml", "name: shop\n");
        _temp.Service("api", "port: 5100\nenv: { DB_PASSWORD: hunter2, ConnectionStrings__db: 'Host=h;Password=hunter2', GREETING: \"it's here\", REDIS_URL: 'redis://:hunter2@redis:6379' }\n");
        _temp.Service("web", "port: 5200\ndepends_on: [api]\n");
    }

    public void Dispose() => _temp.Dispose();

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync(_temp.Root, args);

    [Fact]
    public async Task Config_json_lists_the_services_with_kinds_ports_and_dependencies()
    {
        var result = await Run("config", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("shop", json.RootElement.GetProperty("name").GetString());
        var services = json.RootElement.GetProperty("services").EnumerateArray().ToList();
        Assert.Equal(["api", "web"], services.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal([5100, 5200], services.Select(s => s.GetProperty("port").GetInt32()));
        Assert.Equal("project", services[0].GetProperty("kind").GetString());
        Assert.Equal(["api"], services[1].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Config_prints_a_table_without_colour_when_not_on_a_terminal()
    {
        var result = await Run("config");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"api\s+project\s+api/api\.csproj\s+5100\s+1\s+tcp\s+on-failure", result.Out);
        Assert.DoesNotContain("\u001b[", result.Out);
    }

    [Fact]
    public async Task Colour_appears_on_a_terminal_and_no_color_or_NO_COLOR_turn_it_off()
    {
        var coloured = await CliRun.RunAsync(_temp.Root, new Dictionary<string, string>(), terminal: true, "config");
        var flag = await CliRun.RunAsync(_temp.Root, new Dictionary<string, string>(), terminal: true, "config", "--no-color");
        var variable = await CliRun.RunAsync(_temp.Root, new Dictionary<string, string> { ["NO_COLOR"] = "1" }, terminal: true, "config");

        Assert.Contains("\u001b[", coloured.Out);
        Assert.DoesNotContain("\u001b[", flag.Out);
        Assert.DoesNotContain("\u001b[", variable.Out);
    }

    [Fact]
    public async Task Env_masks_secrets_and_shows_them_on_request()
    {
        var masked = await Run("env", "api");
        var shown = await Run("env", "api", "--show-secrets");

        Assert.Equal(0, masked.ExitCode);
        Assert.DoesNotContain("hunter2", masked.Out);
        Assert.Matches(@"DB_PASSWORD\s+\*\*\*\*\s+api/service\.yml", masked.Out);
        Assert.Contains("Host=h;Password=****", masked.Out);
        Assert.Matches(@"REDIS_URL\s+redis://:\*\*\*\*@redis:6379\s+api/service\.yml", masked.Out);
        Assert.Matches(@"services__web__http__0\s+http://127\.0\.0\.1:5200\s+orchestra", masked.Out);
        Assert.Contains("hunter2", shown.Out);
    }

    [Fact]
    public async Task Env_export_prints_shell_safe_lines()
    {
        var result = await Run("env", "api", "--export", "--show-secrets");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Behind the port proxy a replica's port is chosen as it starts, and none runs: no made-up PORT is exported.
        Assert.DoesNotContain(lines, line => line.StartsWith("export PORT=", StringComparison.Ordinal) || line.StartsWith("export ASPNETCORE_URLS=", StringComparison.Ordinal));
        Assert.Contains("# Left out as naming the port of a replica, chosen at its start (none runs now): ASPNETCORE_URLS, PORT.\n", result.Error);
        Assert.Contains("export ORCHESTRA_SERVICE=api", lines);
        Assert.Contains("export GREETING='it'\\''s here'", lines);
        Assert.Contains("export ConnectionStrings__db='Host=h;Password=hunter2'", lines);
        Assert.All(lines, line => Assert.StartsWith("export ", line));
    }

    [Fact]
    public async Task Env_export_without_show_secrets_leaves_the_secrets_out_and_names_them()
    {
        var result = await Run("env", "api", "--export");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("export GREETING='it'\\''s here'", lines);
        Assert.DoesNotContain("****", result.Out);
        Assert.DoesNotContain("hunter2", result.Out);
        Assert.DoesNotContain(lines, line => line.StartsWith("export DB_PASSWORD=", StringComparison.Ordinal) || line.StartsWith("export ConnectionStrings__db=", StringComparison.Ordinal) || line.StartsWith("export REDIS_URL=", StringComparison.Ordinal));
        Assert.Equal(
            "# Left out as holding secrets (--show-secrets exports them): ConnectionStrings__db, DB_PASSWORD, REDIS_URL.\n"
            + "# Left out as naming the port of a replica, chosen at its start (none runs now): ASPNETCORE_URLS, PORT.\n"
            + "# public: http://127.0.0.1:5100, the port proxy in front of the replicas; each replica listens on a free port chosen at its start.\n",
            result.Error);
    }

    [Fact]
    public async Task Env_shows_the_port_a_replica_gets_behind_the_proxy_and_the_public_address_beside_it()
    {
        _temp.Service("direct", "port: 5300\nproxy: false\nenv: { SELF: 'http://localhost:${PORT}/' }\n");

        var proxied = await Run("env", "api");
        var direct = await Run("env", "direct");

        Assert.Equal(0, proxied.ExitCode);
        Assert.Matches(@"(?m)^\s*PORT\s+<a free port chosen at start>\s+orchestra\s*$", proxied.Out);
        Assert.Matches(@"(?m)^\s*ASPNETCORE_URLS\s+http://127\.0\.0\.1:<a free port chosen at start>\s+orchestra\s*$", proxied.Out);
        Assert.Contains("public: http://127.0.0.1:5100, the port proxy in front of the replicas; each replica listens on a free port chosen at its start.", proxied.Out);
        // Without the proxy the replica binds the service's port itself, and that is all there is to say.
        Assert.Matches(@"(?m)^\s*PORT\s+5300\s+orchestra\s*$", direct.Out);
        Assert.Matches(@"(?m)^\s*SELF\s+http://localhost:5300/\s+direct/service\.yml\s*$", direct.Out);
        Assert.DoesNotContain("public:", direct.Out);
    }

    [Fact]
    public async Task Env_of_an_unknown_service_is_a_usage_error_naming_the_known_ones()
    {
        var result = await Run("env", "apx");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: There is no service named 'apx' (known services: api, web). Did you mean 'api'?\n", result.Error);
    }

    [Theory]
    [InlineData("stop", "nosuch")]
    [InlineData("stop", "~nosuch")]
    [InlineData("restart", "nosuch")]
    [InlineData("ps", "nosuch")]
    [InlineData("logs", "nosuch")]
    [InlineData("scale", "nosuch=2")]
    public async Task An_unknown_service_is_a_usage_error_even_when_nothing_runs(string command, string argument)
    {
        var result = await Run(command, argument);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: There is no service named 'nosuch' (known services: api, web).\n", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Config_lists_vendors_without_a_note()
    {
        _temp.Write("orchestra.yml", "vendors:\n  postgres: { image: postgres:16 }\n  redis: { image: redis:7 }\n");

        var result = await Run("config");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"postgres\s+postgres:16", result.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Config_shows_each_vendors_ports_as_assigned_its_health_and_dependencies()
    {
        _temp.Write("orchestra.yml", """
            vendors:
              postgres: { image: postgres:16, ports: ["5432", "15433:5433"], health: { command: [pg_isready, -q] } }
              redis: { image: redis:7, ports: ["6379"], depends_on: [postgres], health: { tcp: true }, stop: { signal: SIGINT } }
            """);

        var before = await Run("config");
        var assigned = new VendorPortAssignments(_temp.StateDirectory).Assign(WorkspaceLoader.Load(_temp.ConfigPath).Vendors);
        var table = await Run("config");
        var json = await Run("config", "--json");

        Assert.Matches(@"postgres\s+postgres:16\s+5432 \(host port chosen at first start\), 15433:5433\s+command pg_isready -q", before.Out);
        var postgresPort = assigned.HostPort("postgres", 5432);
        var redisPort = assigned.HostPort("redis", 6379);
        Assert.Matches($@"postgres\s+postgres:16\s+{postgresPort}:5432, 15433:5433\s+command pg_isready -q\s", table.Out);
        Assert.Matches($@"redis\s+redis:7\s+{redisPort}:6379\s+tcp\s+postgres\s", table.Out);
        using var document = JsonDocument.Parse(json.Out);
        var vendors = document.RootElement.GetProperty("vendors").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        Assert.Equal(
            $"[{{\"container\":5432,\"host\":{postgresPort},\"fixed\":false}},{{\"container\":5433,\"host\":15433,\"fixed\":true}}]",
            JsonSerializer.Serialize(vendors["postgres"].GetProperty("ports")));
        Assert.Equal("command", vendors["postgres"].GetProperty("health").GetProperty("kind").GetString());
        Assert.Equal(["postgres"], vendors["redis"].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("tcp", vendors["redis"].GetProperty("health").GetProperty("kind").GetString());
        Assert.Equal("SIGINT", vendors["redis"].GetProperty("stop").GetProperty("signal").GetString());
        Assert.Equal(JsonValueKind.Null, vendors["postgres"].GetProperty("stop").GetProperty("signal").ValueKind);
    }

    [Fact]
    public async Task Env_export_leaves_out_a_vendor_address_whose_host_port_is_not_chosen_yet()
    {
        _temp.Write("orchestra.yml", "vendors:\n  postgres: { image: postgres:16, ports: ['5432'], connection_string: 'Host=${host};Port=${port}' }\n");

        var result = await Run("env", "web", "--export");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("export POSTGRES_HOST=127.0.0.1\n", result.Out);
        Assert.DoesNotContain("POSTGRES_PORT", result.Out);
        Assert.Contains("# Left out as naming the host port of a vendor, chosen at its first start (not yet): ConnectionStrings__postgres, POSTGRES_PORT.\n", result.Error);
    }

    [Fact]
    public async Task A_configuration_error_exits_2_with_file_line_and_column()
    {
        var file = _temp.Service("web", "port: 70000\n");

        var result = await Run("config");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {file}:1:7: port must be a whole number from 1 to 65535, got '70000'.\n", result.Error);
    }

    [Fact]
    public async Task Config_fails_on_what_start_would_fail_on_later()
    {
        _temp.Write("orchestra.yml", "env: { A: '${B}', B: '${A}' }\n");

        var result = await Run("config");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {_temp.ConfigPath}:1:8: the variables refer to each other in a cycle: A -> B -> A.\n", result.Error);
    }

    [Fact]
    public async Task A_bracket_left_open_exits_2_naming_where_it_opened()
    {
        _temp.Write("orchestra.yml", "services: [a\nname: x\n");

        var result = await Run("config");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {_temp.ConfigPath}:1:11: invalid YAML: the '[' opened here is not closed: at line 2, column 1 a ',' or ']' was expected.\n", result.Error);
    }

    [Fact]
    public async Task Logs_since_longer_ago_than_the_calendar_shows_everything_instead_of_crashing()
    {
        var result = await Run("logs", "--since", "1000000000h");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task No_workspace_exits_2_with_one_sentence()
    {
        var empty = Path.Combine(_temp.Root, "api");
        File.Delete(_temp.ConfigPath);

        var result = await CliRun.RunAsync(empty, "config");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: No orchestra.yml in {empty} or any folder above it;", result.Error);
    }

    [Fact]
    public async Task The_config_option_and_ORCHESTRA_CONFIG_name_the_workspace_from_anywhere()
    {
        var byOption = await CliRun.RunAsync("/", "-c", _temp.ConfigPath, "config", "--json");
        var byVariable = await CliRun.RunAsync("/", new Dictionary<string, string> { ["ORCHESTRA_CONFIG"] = _temp.ConfigPath }, false, "config", "--json");

        Assert.Equal(0, byOption.ExitCode);
        Assert.Contains("\"name\": \"shop\"", byOption.Out);
        Assert.Equal(byOption.Out, byVariable.Out);
    }

    [Fact]
    public async Task Unknown_commands_and_options_exit_2()
    {
        var command = await Run("launch");
        var option = await Run("config", "--jsn");

        Assert.Equal(2, command.ExitCode);
        Assert.Contains("launch", command.Error);
        Assert.Equal(2, option.ExitCode);
        Assert.Contains("--jsn", option.Error);
    }

    [Fact]
    public async Task The_hidden_supervise_command_takes_only_a_config_that_exists_and_is_not_in_the_help()
    {
        var bare = await Run("__supervise");
        var missing = await Run("__supervise", "--config", "elsewhere/orchestra.yml");
        var help = await Run("--help");

        Assert.Equal(2, bare.ExitCode);
        Assert.Equal("error: '__supervise' takes '--config FILE' and nothing else.", bare.Error.Trim());
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("elsewhere/orchestra.yml does not exist", missing.Error);
        Assert.DoesNotContain("__supervise", help.Out);
    }

    [Fact]
    public async Task Version_and_help_exit_0_and_help_lists_only_working_commands()
    {
        var version = await Run("--version");
        var help = await Run("--help");

        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"\d+\.\d+\.\d+", version.Out);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("config", help.Out);
        Assert.Contains("init", help.Out);
        Assert.Matches(@"(?m)^\s+scale\s", help.Out);
        Assert.Matches(@"(?m)^\s+vendors\s", help.Out);
        Assert.Matches(@"(?m)^\s+test\s", help.Out);
    }

    [Fact]
    public async Task Hooks_run_global_then_per_command_in_the_workspace_folder_with_the_command_env()
    {
        _temp.Write("orchestra.yml", """
            name: shop
            before: ["echo global-before:$PWD >> hooks.log"]
            after: ["echo global-after >> hooks.log"]
            commands:
              config:
                env: { STAGE: configuring }
                before: ["echo config-before:$STAGE >> hooks.log"]
                after: ["echo config-after >> hooks.log"]
            """);

        var result = await Run("config", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [$"global-before:{_temp.Root}", "config-before:configuring", "global-after", "config-after"],
            File.ReadAllLines(Path.Combine(_temp.Root, "hooks.log")));
    }

    [Fact]
    public async Task A_failing_before_hook_stops_the_command_with_exit_1()
    {
        _temp.Write("orchestra.yml", "before: ['echo from-hook; exit 3']\nafter: ['touch after-ran']\n");

        var result = await Run("config", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("from-hook\nerror: The before hook 'echo from-hook; exit 3' failed with exit code 3, so 'config' did not run.\n", result.Error);
        Assert.False(File.Exists(Path.Combine(_temp.Root, "after-ran")));
    }

    [Fact]
    public async Task Init_writes_the_files_and_never_overwrites()
    {
        using var fresh = new TempWorkspace();
        fresh.Write("Api/Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\" />");
        fresh.Write("Api/Properties/launchSettings.json", """{ "profiles": { "http": { "applicationUrl": "http://localhost:5280" } } }""");
        fresh.Write("src/Worker/Worker.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Worker\" />");
        fresh.Write("src/Lib/Lib.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        fresh.Write("tests/Api.Tests/Api.Tests.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"><ItemGroup><PackageReference Include=\"Microsoft.NET.Test.Sdk\" /></ItemGroup></Project>");
        fresh.Write("src/Worker/service.yml", "# mine\n");

        var first = await CliRun.RunAsync(fresh.Root, "init");
        var config = await CliRun.RunAsync(fresh.Root, "config", "--json");
        var second = await CliRun.RunAsync(fresh.Root, "init");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("wrote   orchestra.yml", first.Out);
        Assert.Contains("wrote   Api/service.yml", first.Out);
        Assert.Contains("wrote   orchestra.proj", first.Out);
        Assert.Contains("<Project Sdk=\"Orchestra.MSBuild/", File.ReadAllText(Path.Combine(fresh.Root, "orchestra.proj")));
        Assert.Contains("exists  src/Worker/service.yml (left alone)", first.Out);
        Assert.Contains("skipped src/Lib: a library, not runnable.", first.Out);
        Assert.Contains("skipped tests/Api.Tests: a test project.", first.Out);
        Assert.Equal("# mine\n", File.ReadAllText(Path.Combine(fresh.Root, "src/Worker/service.yml")));
        Assert.Equal("project: Api.csproj\nport: 5280\n", File.ReadAllText(Path.Combine(fresh.Root, "Api/service.yml")));
        Assert.Equal(0, config.ExitCode);
        Assert.Contains("\"name\": \"Worker\"", config.Out);
        Assert.DoesNotContain("wrote", second.Out);
    }
}
