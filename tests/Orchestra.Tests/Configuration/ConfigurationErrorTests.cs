using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.Configuration;

/// <summary>Every configuration error names file, line and column and says what was expected.</summary>
public sealed class ConfigurationErrorTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public ConfigurationErrorTests() => _workspace.Write("orchestra.yml", "name: shop\n");

    public void Dispose() => _workspace.Dispose();

    private ConfigurationException LoadFails() =>
        Assert.Throws<ConfigurationException>(() => WorkspaceLoader.Load(_workspace.ConfigPath));

    private static ConfigurationError Single(ConfigurationException e) => Assert.Single(e.Errors);

    [Theory]
    [InlineData("scale: two\n", 1, 8, "scale must be a whole number from 0 to 100, got 'two'.")]
    [InlineData("scale: -1\n", 1, 8, "scale must be a whole number from 0 to 100, got '-1'.")]
    [InlineData("port: 70000\n", 1, 7, "port must be a whole number from 1 to 65535, got '70000'.")]
    [InlineData("port: '5100'\n", 1, 7, "port must be a whole number from 1 to 65535, got '5100'.")]
    [InlineData("restart: sometimes\n", 1, 10, "restart must be one of no, on-failure, always, got 'sometimes'.")]
    [InlineData("restart: alway\n", 1, 10, "restart must be one of no, on-failure, always, got 'alway'. Did you mean 'always'?")]
    [InlineData("stop:\n  timeout: 10x\n", 2, 12, "timeout must be a duration such as 500ms, 10s, 2m or 1h30m, got '10x'.")]
    [InlineData("health: { interval: 0s }\n", 1, 21, "interval must be from 100ms to 1h, got '0s'.")]
    [InlineData("health: { timeout: 99999999h }\n", 1, 20, "timeout must be from 100ms to 1h, got '99999999h'.")]
    [InlineData("stop: { timeout: 2h }\n", 1, 18, "timeout must be from 0s to 1h, got '2h'.")]
    [InlineData("stop: { drain: 1000000000h }\n", 1, 16, "drain must be from 0s to 1h, got '1000000000h'.")]
    [InlineData("stop:\n  signal: SIGTREM\n", 2, 11, "signal must be one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGKILL, SIGUSR1, SIGUSR2, got 'SIGTREM'. Did you mean 'SIGTERM'?")]
    [InlineData("port: 5100\nhealth:\n  intervl: 1s\n", 3, 3, "unknown key 'intervl'. Did you mean 'interval'?")]
    [InlineData("prot: 5100\n", 1, 1, "unknown key 'prot'. Did you mean 'port'?")]
    [InlineData("args: --verbose\n", 1, 7, "args must be a list of text, got '--verbose'.")]
    [InlineData("proxy: maybe\n", 1, 8, "proxy must be true or false, got 'maybe'.")]
    [InlineData("port: 80\nscale: 2\nproxy: false\n", 3, 1, "proxy: false binds the replica to the service's port itself, so scale must be 0 or 1, got 2.")]
    [InlineData("port: 80\nhealth: { http: health }\n", 2, 17, "health.http must be a path starting with '/', got 'health'.")]
    [InlineData("port: 80\nhealth: { http: /h, tcp: true }\n", 2, 21, "health takes one probe, http, tcp or log, but names http and tcp.")]
    [InlineData("health: { log: '(' }\n", 1, 16, "health.log must be a regular expression")]
    [InlineData("name: 'bad name'\n", 1, 7, "name must start with a letter or digit and hold only letters, digits, '-', '_' or '.', got 'bad name'.")]
    [InlineData("env:\n  A: [1, 2]\n", 2, 6, "the value of A must be text, a number or true/false, got a list.")]
    public void A_wrong_value_in_service_yml_is_reported_at_its_place(string yaml, int line, int column, string message)
    {
        var file = _workspace.Service("api", yaml);

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, line, column), error.Location);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void An_unknown_key_far_from_any_known_one_lists_the_expected_keys()
    {
        var file = _workspace.Service("api", "zzzzzz: 1\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 1, 1), error.Location);
        Assert.StartsWith("unknown key 'zzzzzz'. Expected one of: name, project, command,", error.Message);
    }

    [Theory]
    [InlineData("name: shop\nservice: ['*']\n", 2, 1, "unknown key 'service'. Did you mean 'services'?")]
    [InlineData("commands:\n  strat: {}\n", 2, 3, "unknown key 'strat'. Did you mean 'start'?")]
    [InlineData("defaults:\n  stop_timeout: soon\n", 2, 17, "stop_timeout must be a duration such as 500ms, 10s, 2m or 1h30m, got 'soon'.")]
    [InlineData("defaults:\n  stop_timeout: 200000000h200000000h\n", 2, 17, "stop_timeout must be from 0s to 1h, got '200000000h200000000h'.")]
    [InlineData("vendors:\n  pg:\n    image: postgres:16\n    health: { command: [pg_isready], interval: 0s }\n", 4, 48, "interval must be from 100ms to 1h, got '0s'.")]
    [InlineData("vendors:\n  pg:\n    ports: ['5432']\n", 2, 3, "vendor 'pg' needs an image, such as 'image: postgres:16'.")]
    [InlineData("vendors:\n  pg:\n    image: postgres:16\n    ports: ['99999:5432']\n", 4, 13, "a vendor port must be 'CONTAINER' or 'HOST:CONTAINER' with ports from 1 to 65535, got '99999:5432'.")]
    [InlineData("name: [a]\n", 1, 7, "name must be text, got a list.")]
    [InlineData("- a\n- b\n", 1, 1, "orchestra.yml must be a mapping of keys to values, got a list.")]
    public void A_wrong_value_in_orchestra_yml_is_reported_at_its_place(string yaml, int line, int column, string message)
    {
        var file = _workspace.Write("orchestra.yml", yaml);

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, line, column), error.Location);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_yaml_syntax_error_names_file_line_and_column()
    {
        var file = _workspace.Write("orchestra.yml", "name: shop\nenv:\n  A: \"unclosed\n");

        var error = Single(LoadFails());

        Assert.Equal(file, error.Location?.File);
        Assert.Equal(3, error.Location?.Line);
        Assert.StartsWith("invalid YAML: ", error.Message);
    }

    [Fact]
    public void A_duplicate_key_is_a_located_error()
    {
        var file = _workspace.Service("api", "port: 1\nport: 2\n");

        var error = Single(LoadFails());

        Assert.Equal(file, error.Location?.File);
        Assert.Equal(2, error.Location?.Line);
        Assert.Contains("invalid YAML", error.Message);
    }

    [Fact]
    public void Every_error_of_every_file_is_reported_in_one_run()
    {
        var api = _workspace.Service("api", "scale: two\nprot: 1\n");
        var web = _workspace.Service("web", "restart: sometimes\n");

        var errors = LoadFails().Errors;

        Assert.Equal(
            [new SourceLocation(api, 1, 8), new SourceLocation(api, 2, 1), new SourceLocation(web, 1, 10)],
            errors.Select(e => e.Location!.Value));
    }

    [Fact]
    public void Depends_on_naming_nothing_is_an_error_with_a_suggestion_and_the_known_names()
    {
        _workspace.Service("catalog");
        var file = _workspace.Service("web", "depends_on: [catalgo]\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 1, 14), error.Location);
        Assert.Equal("depends_on names 'catalgo', which is neither a service nor a vendor. Did you mean 'catalog'? Known: catalog, web.", error.Message);
    }

    [Fact]
    public void A_dependency_cycle_is_printed()
    {
        _workspace.Service("a", "depends_on: [b]\n");
        _workspace.Service("b", "depends_on: [c]\n");
        var c = _workspace.Service("c", "depends_on:\n  - a\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(c, 2, 5), error.Location);
        Assert.Equal("depends_on makes a cycle: a -> b -> c -> a.", error.Message);
    }

    [Fact]
    public void A_service_depending_on_itself_is_an_error()
    {
        var file = _workspace.Service("a", "depends_on: [a]\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 1, 14), error.Location);
        Assert.Equal("service 'a' depends on itself.", error.Message);
    }

    [Fact]
    public void A_tests_entry_that_names_no_project_is_an_error_at_the_entry()
    {
        var file = _workspace.Service("a", "tests:\n  - ../A.Tests\n  - notes.txt\n");
        _workspace.Write("A.Tests/A.Tests.csproj", "<Project />");
        _workspace.Write("a/notes.txt", "not a project");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 3, 5), error.Location);
        Assert.Equal($"the test project 'notes.txt' of service 'a' is neither a project file nor a folder holding exactly one ({_workspace.PathOf("a/notes.txt")}).", error.Message);
    }

    [Fact]
    public void Duplicate_service_names_name_both_folders()
    {
        _workspace.Service("api");
        var second = _workspace.Service("web", "name: api\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(second, 1, 7), error.Location);
        Assert.Equal($"two services are named 'api': {Path.Combine(_workspace.Root, "api")} and {Path.Combine(_workspace.Root, "web")}; give one of them another 'name:'.", error.Message);
    }

    [Fact]
    public void A_folder_without_a_project_or_command_is_rejected()
    {
        var file = _workspace.Service("api", "port: 5000\n", withProject: false);

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 1, 1), error.Location);
        Assert.Equal($"service 'api' has no project file (*.csproj or *.fsproj) in {Path.Combine(_workspace.Root, "api")} and no 'project:' or 'command:' in its service.yml.", error.Message);
    }

    [Fact]
    public void A_folder_with_several_projects_and_no_project_key_is_rejected()
    {
        var file = _workspace.Service("api");
        _workspace.Write("api/Other.fsproj", "<Project />");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 1, 1), error.Location);
        Assert.Equal($"service 'api' has several project files in {Path.Combine(_workspace.Root, "api")} (api.csproj, Other.fsproj); name one with 'project:'.", error.Message);
    }

    [Fact]
    public void A_project_key_naming_a_missing_file_is_rejected()
    {
        var file = _workspace.Service("api", "project: Nope.csproj\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 1, 10), error.Location);
        Assert.StartsWith("the project Nope.csproj of service 'api' does not exist", error.Message);
    }

    [Fact]
    public void Two_services_on_one_port_are_rejected()
    {
        _workspace.Service("api", "port: 5000\n");
        var web = _workspace.Service("web", "port: 5000\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(web, 1, 7), error.Location);
        Assert.Equal("port 5000 of service 'web' is already the port of 'api'.", error.Message);
    }

    [Fact]
    public void A_tcp_health_check_without_a_port_is_rejected()
    {
        var file = _workspace.Service("api", "health:\n  tcp: true\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 2, 3), error.Location);
        Assert.Equal("service 'api' has a tcp health check but no port to probe; add 'port:'.", error.Message);
    }

    [Fact]
    public void A_folder_name_too_long_for_a_service_name_asks_for_a_name_key()
    {
        var folder = new string('a', 200);
        var file = _workspace.Service(folder);

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 1, 1), error.Location);
        Assert.Equal($"the folder name '{folder[..40]}…' cannot be a service name, which must have at most 64 characters, not 200; give one with 'name:'.", error.Message);
    }

    [Fact]
    public void A_name_key_too_long_is_reported_at_its_place()
    {
        var file = _workspace.Service("api", $"name: {new string('n', 300)}\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 1, 7), error.Location);
        Assert.Equal($"name must have at most 64 characters, not 300, got '{new string('n', 40)}…'.", error.Message);
    }

    [Fact]
    public void A_vendor_name_too_long_is_reported_at_its_place()
    {
        var file = _workspace.Write("orchestra.yml", $"vendors:\n  {new string('v', 65)}: {{ image: redis }}\n");

        var error = Single(LoadFails());

        Assert.Equal(new SourceLocation(file, 2, 3), error.Location);
        Assert.Equal($"a vendor name must have at most 64 characters, not 65, got '{new string('v', 40)}…'.", error.Message);
    }

    [Fact]
    public void A_cycle_of_variables_is_reported_when_the_workspace_loads()
    {
        var config = _workspace.Write("orchestra.yml", "env:\n  A: ${B}\n  B: ${A}\n");
        var service = _workspace.Service("api", "env: { X: '${Y}', Y: '${X}' }\n");

        var errors = LoadFails().Errors;

        Assert.Equal(
            [$"{service}:1:8: the variables refer to each other in a cycle: X -> Y -> X.", $"{config}:2:3: the variables refer to each other in a cycle: A -> B -> A."],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_malformed_or_missing_env_file_is_reported_when_the_workspace_loads()
    {
        var config = _workspace.Write("orchestra.yml", "env_file: [.env, missing.env]\n");
        var dotEnv = _workspace.Write(".env", "GOOD=1\nthis is bad\n");
        _workspace.Service("api", "env_file: api.env\n");
        var apiEnv = _workspace.Write("api/api.env", "A='open\n");

        var errors = LoadFails().Errors;

        Assert.Equal(
            [
                $"{dotEnv}:2:1: expected NAME=VALUE, got 'this is bad'.",
                $"{apiEnv}:1:3: the quote ' opened here is never closed.",
                $"{config}:1:18: the env file {Path.Combine(_workspace.Root, "missing.env")} does not exist.",
            ],
            errors.Select(e => e.ToString()));
    }
}
