using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Xunit;
using Xunit.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestra.Tests.Configuration;

/// <summary>
/// The JSON schemas only exist for editors, so nothing else would notice if they drifted from the
/// files we ship: these tests hold every sample file to them and prove that they really reject
/// mistakes, so a schema that accepts everything cannot pass.
/// </summary>
public sealed partial class SchemaTests(ITestOutputHelper output)
{
    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly string SchemaFolder = Path.Combine(RepoRoot, "src", "Orchestra.Core", "Configuration", "Schemas");
    private static readonly JsonSchema WorkspaceSchema = LoadSchema("orchestra.schema.json");
    private static readonly JsonSchema ServiceSchema = LoadSchema("service.schema.json");

    [Fact]
    public void Every_sample_file_is_valid_against_its_schema()
    {
        var samples = Path.Combine(RepoRoot, "samples");
        var files = Directory.EnumerateFiles(samples, "*.yml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is "orchestra.yml" or "service.yml")
            .Where(f => !Path.GetRelativePath(samples, f).Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .ToList();

        var failures = new List<string>();
        foreach (var file in files)
        {
            var schema = Path.GetFileName(file) == "orchestra.yml" ? WorkspaceSchema : ServiceSchema;
            var results = Evaluate(schema, YamlToJson(File.ReadAllText(file)));
            var name = Path.GetRelativePath(RepoRoot, file);
            output.WriteLine($"{name}: {(results.IsValid ? "valid" : "INVALID")}");
            if (!results.IsValid)
                failures.Add($"{name}:{Environment.NewLine}{Describe(results)}");
        }

        // The workspace file plus one per service; fewer means discovery broke and we checked nothing.
        Assert.True(files.Count >= 4, $"expected at least 4 sample files under {samples}, found {files.Count}.");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [InlineData("")] // an empty service.yml is a valid service (YAML reads it as null)
    [InlineData("# nothing but a comment")]
    [InlineData("~")]
    [InlineData("restart: no")] // YAML 1.2: a plain 'no' is text, not false
    [InlineData("command: go run .")]
    [InlineData("command: [./bin/orders, --flag]\nbuild: [go, build, -o, bin/orders]")]
    [InlineData("depends_on: catalog")]
    [InlineData("env: { A: text, B: 1, C: true, D: 1.5, E: }")]
    [InlineData("health: { log: 'Now listening', interval: 500ms, timeout: 1m30s }")]
    [InlineData(SpecServiceExample)]
    public void Valid_service_files_are_accepted(string yaml)
    {
        var results = Evaluate(ServiceSchema, YamlToJson(yaml));

        Assert.True(results.IsValid, Describe(results));
    }

    [Theory]
    [InlineData("port: 70000", "/port")]
    [InlineData("port: 0", "/port")]
    [InlineData("port: '5100'", "/port")] // quoted, so text, and a port is a number
    [InlineData("prot: 1", "/prot")]
    [InlineData("scale: 101", "/scale")]
    [InlineData("name: -leading-dash", "/name")]
    [InlineData("restart: sometimes", "/restart")]
    [InlineData("health: { http: health }", "/health/http")]
    [InlineData("health: { http: /health, tcp: true }", "/health")]
    [InlineData("stop: { signal: SIGSTOP }", "/stop/signal")]
    [InlineData("stop: { timeout: 10 seconds }", "/stop/timeout")]
    [InlineData("command: []", "/command")]
    [InlineData("env: { A=B: 1 }", "/env/A=B")]
    [InlineData("watch: { test: yes }", "/watch/test")] // YAML 1.2: 'yes' is text, not a boolean
    [InlineData("docker: { image: x, tag: y }", "/docker/tag")]
    public void Invalid_service_files_are_rejected(string yaml, string location)
    {
        var results = Evaluate(ServiceSchema, YamlToJson(yaml));
        output.WriteLine(Describe(results));

        Assert.False(results.IsValid, $"'{yaml}' should be invalid.");
        Assert.Contains(Failures(results), f => f.Location == location);
    }

    [Theory]
    [InlineData("")]
    [InlineData("name: shop\nbefore: echo hi\ncommands: { start: { after: [echo done] } }")]
    [InlineData(SpecWorkspaceExample)]
    [InlineData(VendorKeysExample)]
    public void Valid_workspace_files_are_accepted(string yaml)
    {
        var results = Evaluate(WorkspaceSchema, YamlToJson(yaml));

        Assert.True(results.IsValid, Describe(results));
    }

    [Theory]
    [InlineData("nmae: shop", "/nmae")]
    [InlineData("commands: { deploy: {} }", "/commands/deploy")]
    [InlineData("commands: { start: { envs: {} } }", "/commands/start/envs")]
    [InlineData("vendors: { pg: { ports: [5432] } }", "/vendors/pg")] // image is required
    [InlineData("vendors: { pg: { image: postgres, ports: ['1:2:3'] } }", "/vendors/pg/ports/0")]
    [InlineData("vendors: { pg: { image: postgres, health: { interval: soon } } }", "/vendors/pg/health/interval")]
    [InlineData("vendors: { pg: { image: x, ports: [5432], health: { command: [pg_isready], tcp: true } } }", "/vendors/pg/health")]
    [InlineData("vendors: { pg: { image: x, health: nothing } }", "/vendors/pg/health")]
    [InlineData("vendors: { pg: { image: x, health: { tcp: yes } } }", "/vendors/pg/health/tcp")]
    [InlineData("vendors: { pg: { image: x, stop: { signal: SIGSTOP } } }", "/vendors/pg/stop/signal")]
    [InlineData("vendors: { pg: { image: x, stop: { drain: 1s } } }", "/vendors/pg/stop/drain")]
    [InlineData("vendors: { pg: { image: x, volumes: ['pg data:/data'] } }", "/vendors/pg/volumes/0")]
    [InlineData("vendors: { pg: { image: x, volumes: ['pgdata:data'] } }", "/vendors/pg/volumes/0")]
    [InlineData("vendors: { pg: { image: x, volumes: ['pgdata:/data:rx'] } }", "/vendors/pg/volumes/0")]
    [InlineData("vendors: { pg: { image: x, depends_on: { redis: true } } }", "/vendors/pg/depends_on")]
    [InlineData("defaults: { restart: never }", "/defaults/restart")]
    [InlineData("services: '*'", "/services")]
    public void Invalid_workspace_files_are_rejected(string yaml, string location)
    {
        var results = Evaluate(WorkspaceSchema, YamlToJson(yaml));
        output.WriteLine(Describe(results));

        Assert.False(results.IsValid, $"'{yaml}' should be invalid.");
        Assert.Contains(Failures(results), f => f.Location == location);
    }

    [Theory]
    [InlineData("orchestra.schema.json")]
    [InlineData("service.schema.json")]
    public void Schema_is_a_draft_2020_12_schema_with_help_on_every_property(string file)
    {
        var text = File.ReadAllText(Path.Combine(SchemaFolder, file));
        using var document = JsonDocument.Parse(text);

        var results = MetaSchemas.Draft202012.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, Describe(results));

        // Editors show a property's description on hover and completion; one without is a gap.
        var undocumented = new List<string>();
        FindUndocumented(JsonNode.Parse(text)!, "#", undocumented);
        Assert.True(undocumented.Count == 0, "properties without a description: " + string.Join(", ", undocumented));
    }

    private const string SpecServiceExample = """
        project: Orders.csproj
        args: ["--verbose"]
        env: { Logging__LogLevel__Default: Debug }
        env_file: .env
        port: 5100
        scale: 1
        depends_on: [postgres, catalog]
        health: { http: /health }
        restart: on-failure
        stop: { signal: SIGTERM, timeout: 10s }
        watch: { include: ["**/*.cs"], exclude: ["**/bin/**"], test: false }
        tests: [../Orders.Tests]
        docker: { image: mcr.microsoft.com/dotnet/aspnet:10.0 }
        proxy: true
        framework: net10.0
        """;

    private const string SpecWorkspaceExample = """
        name: shop
        env: { ASPNETCORE_ENVIRONMENT: Development }
        env_file: [.env]
        services: ["*", "src/*"]
        before: ["echo global before"]
        after: []
        commands:
          start: { env: { FEATURE_X: "1" }, before: [], after: [] }
        vendors:
          postgres:
            image: postgres:16
            ports: ["5432", "15432:5432", 6379]
            env: { POSTGRES_PASSWORD: dev }
            volumes: ["pgdata:/var/lib/postgresql/data"]
            health: { command: ["pg_isready", "-U", "postgres"], interval: 1s, timeout: 60s }
            connection_string: "Host=${host};Port=${port};Username=postgres;Password=dev"
        acceptance: [tests/Shop.Acceptance]
        defaults: { restart: on-failure, stop_timeout: 10s }
        """;

    private const string VendorKeysExample = """
        vendors:
          postgres:
            image: postgres:16
            ports: ["5432"]
            volumes: ["pgdata:/var/lib/postgresql/data", "./init:/docker-entrypoint-initdb.d:ro", "/srv/dumps:/dumps:rw", "..:/workspace"]
            health: { command: pg_isready, interval: 1s, timeout: 60s }
            stop: { signal: SIGINT, timeout: 30s }
          redis:
            image: redis:7
            ports: [6379]
            depends_on: postgres
            health: { tcp: true }
          mail:
            image: mailhog
            depends_on: [postgres, redis]
            health: none
        """;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            // .NET 10's `dotnet new sln` writes .slnx, so accept either format.
            if (File.Exists(Path.Combine(dir.FullName, "Orchestra.sln")) || File.Exists(Path.Combine(dir.FullName, "Orchestra.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No folder holding Orchestra.sln above {AppContext.BaseDirectory}.");
    }

    private static JsonSchema LoadSchema(string file) => JsonSchema.FromText(File.ReadAllText(Path.Combine(SchemaFolder, file)));

    private static EvaluationResults Evaluate(JsonSchema schema, JsonNode instance) =>
        // JsonSchema.Net 8 evaluates JsonElements, not JsonNodes.
        schema.Evaluate(JsonSerializer.SerializeToElement(instance), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static IEnumerable<(string Location, string Keyword, string Message)> Failures(EvaluationResults results) =>
        new[] { results }.Concat(results.Details ?? [])
            .Where(r => r.Errors is not null)
            .SelectMany(r => r.Errors!.Select(e => (r.InstanceLocation.ToString(), e.Key, e.Value)));

    private static string Describe(EvaluationResults results) =>
        results.IsValid
            ? "valid"
            : string.Join(Environment.NewLine, Failures(results).Select(f => $"  at '{f.Location}'{(f.Keyword is "" ? "" : $" ({f.Keyword})")}: {f.Message}"));

    private static void FindUndocumented(JsonNode node, string path, List<string> undocumented)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["properties"] is JsonObject properties)
                {
                    foreach (var (name, schema) in properties)
                    {
                        if (schema is not JsonObject { } s || !s.ContainsKey("description"))
                            undocumented.Add($"{path}/properties/{name}");
                    }
                }
                foreach (var (name, child) in obj)
                {
                    if (child is not null)
                        FindUndocumented(child, $"{path}/{name}", undocumented);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } child)
                        FindUndocumented(child, $"{path}/{i}", undocumented);
                }
                break;
        }
    }

    /// <summary>
    /// YAML to JSON the way YamlDotNet's loader reads it: the document's plain scalars typed by
    /// YAML 1.2's core schema, everything quoted (or block text) kept as text. An empty file is the
    /// empty mapping, since Orchestra treats an empty service.yml as a service with no settings.
    /// </summary>
    private static JsonNode YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
        return root ?? new JsonObject();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(entry =>
            KeyValuePair.Create(((YamlScalarNode)entry.Key).Value ?? "", ToJson(entry.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => ToJson(scalar),
        _ => throw new NotSupportedException($"Unexpected YAML node {node.GetType().Name} at {node.Start}."),
    };

    private static JsonNode? ToJson(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
            return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL")
            return null;
        if (text is "true" or "True" or "TRUE")
            return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE")
            return JsonValue.Create(false);
        if (DecimalInteger().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            return JsonValue.Create(hex);
        // Float, as the core schema writes it; .inf and .nan stay text because JSON cannot hold them.
        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            return JsonValue.Create(real);
        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
