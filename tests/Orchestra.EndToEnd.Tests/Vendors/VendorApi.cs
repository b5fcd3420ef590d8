using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests.Vendors;

/// <summary>
/// An ASP.NET API that uses both vendors as a service would: <c>/db</c> runs <c>select 1</c> through Npgsql with
/// <c>ConnectionStrings:postgres</c>, <c>/cache</c> a SET and GET through StackExchange.Redis with
/// <c>ConnectionStrings:redis</c>, both read through <c>IConfiguration</c>. Built once per run (restore and MSBuild are slow here); a class fixture, so the classes that use it run in parallel.
/// </summary>
public sealed class VendorApi : IAsyncLifetime
{
    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk.Web">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Npgsql" Version="10.0.3" />
            <PackageReference Include="StackExchange.Redis" Version="2.8.16" />
          </ItemGroup>
        </Project>
        """;

    private const string Program = """
        using Npgsql;
        using StackExchange.Redis;

        var app = WebApplication.Create(args);
        app.MapGet("/health", () => "ok");
        app.MapGet("/db", async (IConfiguration config) =>
        {
            await using var connection = new NpgsqlConnection(config.GetConnectionString("postgres"));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select 1", connection);
            return $"db {await command.ExecuteScalarAsync()}";
        });
        app.MapGet("/cache", async (IConfiguration config) =>
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(config.GetConnectionString("redis")!);
            var db = redis.GetDatabase();
            await db.StringSetAsync("greeting", "hello");
            return $"cache {await db.StringGetAsync("greeting")}";
        });
        app.Run();
        """;

    private static readonly OncePerRun<TestFleet> Built = new(BuildAsync);
    private TestFleet? _template;

    public string TemplateDirectory => _template!.PathOf("api");

    public async Task InitializeAsync() => _template = await Built.GetAsync();

    private static async Task<TestFleet> BuildAsync()
    {
        var template = new TestFleet("vendor-api-template");
        template.Service("api", "port: 5000\nhealth: { http: /health }\n", ("api.csproj", Project), ("Program.cs", Program));
        var build = await template.RunAsync("build");
        Assert.True(build.ExitCode == 0, $"the vendor API did not build: {build}");
        return template;
    }

    /// <summary>Copies the built API into <paramref name="fleet"/> as <c>api</c> with its own service.yml.</summary>
    public void CopyInto(TestFleet fleet, string serviceYaml) => fleet.CopyService(TemplateDirectory, "api", serviceYaml);

    /// <summary>The build is the run's, disposed when the test process exits.</summary>
    public Task DisposeAsync() => Task.CompletedTask;
}
