using Orchestra.Build.Building;

namespace Orchestra.Build.Tests;

/// <summary>
/// One fleet built once for every test of <see cref="FleetCollection"/>, since every build is slow here: a web API
/// that references a class library, and a worker.
/// </summary>
public sealed class FleetFixture : IAsyncLifetime
{
    public BuildWorkspace Workspace { get; } = new BuildWorkspace()
        .Write("lib/Lib.csproj", BuildWorkspace.Library)
        .Write("lib/Greeting.cs", "namespace Lib; public static class Greeting { public static string Text => \"hello from lib\"; }")
        .Service("api", """
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup><ProjectReference Include="../lib/Lib.csproj" /></ItemGroup>
              <ItemGroup><Content Update="appsettings.json" CopyToOutputDirectory="PreserveNewest" /></ItemGroup>
            </Project>
            """, "port: 5100\n", """
            var app = WebApplication.Create(args);
            app.MapGet("/", () => Lib.Greeting.Text);
            app.Run();
            """)
        .Write("api/appsettings.json", "{}")
        .Service("worker", """
            <Project Sdk="Microsoft.NET.Sdk.Worker">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup>
            </Project>
            """, "", "Console.WriteLine(\"worker ran\");");

    /// <summary>The first, cold build of the fleet.</summary>
    public FleetBuildResult FirstBuild { get; private set; } = null!;

    public async Task InitializeAsync() => FirstBuild = await Workspace.BuildAsync();

    public Task DisposeAsync()
    {
        Workspace.Dispose();
        return Task.CompletedTask;
    }
}

[StartsEarly]
[CollectionDefinition(Name)]
public sealed class FleetCollection : ICollectionFixture<FleetFixture>
{
    public const string Name = "fleet";
}
