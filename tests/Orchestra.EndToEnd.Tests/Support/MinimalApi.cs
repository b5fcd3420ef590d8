namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>
/// A real ASP.NET minimal API, built once per test run through <c>dotnet orchestra build</c> (MSBuild is slow
/// here) in a template workspace; tests copy the built folder, <c>bin/</c> and <c>obj/</c> included, into their own
/// workspace and start it with <c>--no-build</c>. A class fixture: the classes that use it still run in parallel.
/// </summary>
public sealed class MinimalApi : IAsyncLifetime
{
    public const string Project = """
        <Project Sdk="Microsoft.NET.Sdk.Web">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
        </Project>
        """;

    /// <summary>
    /// <see cref="Project"/> with a build that waits while the file <c>hold-build</c> exists beside the service folder
    /// (two minutes at most), so that a test can act mid-build (a rerun's building phase); without the file it adds nothing.
    /// </summary>
    public static readonly string HeldProject = Project.Replace("</Project>", """
          <Target Name="HoldWhileAsked" BeforeTargets="CoreCompile" Condition="Exists('$(MSBuildProjectDirectory)/../hold-build')">
            <Exec Command="while [ -e ../hold-build ]; do sleep 0.1; done" Timeout="120000" />
          </Target>
        </Project>
        """, StringComparison.Ordinal);

    /// <summary>Answers /health and /hello; /hello says which copy answered and prints a line, so a test can find it in the logs.</summary>
    public const string Program = """
        var app = WebApplication.Create(args);
        var who = Environment.GetEnvironmentVariable("ORCHESTRA_SERVICE") ?? "outside";
        app.MapGet("/health", () => "ok");
        app.MapGet("/hello", (string? from) =>
        {
            Console.WriteLine($"hello served to {from} by {who}");
            return $"hello from {who} pid {Environment.ProcessId}";
        });
        app.Run();
        """;

    private static readonly OncePerRun<TestFleet> Built = new(BuildAsync);
    private TestFleet? _template;

    public string TemplateDirectory => _template!.PathOf("api");

    public async Task InitializeAsync() => _template = await Built.GetAsync();

    private static async Task<TestFleet> BuildAsync()
    {
        var template = new TestFleet("api-template");
        // Restore stays off the network: a web API with no package references needs nothing from a feed.
        template.Write("NuGet.config", TestProjectFiles.LocalFolderOnly);
        Directory.CreateDirectory(template.PathOf("packages"));
        template.Service("api", "port: 5000\nhealth: { http: /health }\n", ("api.csproj", Project), ("Program.cs", Program));
        var build = await template.RunAsync("build");
        Assert.True(build.ExitCode == 0, $"the minimal API did not build: {build}");
        Assert.True(File.Exists(template.PathOf("api/bin/Debug/net10.0/api.dll")), build.ToString());
        return template;
    }

    /// <summary>Copies the built API into <paramref name="fleet"/> as service <paramref name="name"/> with its own service.yml.</summary>
    public string CopyInto(TestFleet fleet, string name, string serviceYaml)
    {
        var destination = fleet.CopyService(TemplateDirectory, name, serviceYaml);
        fleet.Write("NuGet.config", TestProjectFiles.LocalFolderOnly);
        return destination;
    }

    /// <summary>The build is the run's, disposed when the test process exits.</summary>
    public Task DisposeAsync() => Task.CompletedTask;
}
