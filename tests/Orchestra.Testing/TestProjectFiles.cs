namespace Orchestra.Testing;

/// <summary>Project files of the test projects the tests write into their workspaces (all packages served by the mirror).</summary>
public static class TestProjectFiles
{
    /// <summary>An xunit 2 project on VSTest, with implicit usings.</summary>
    public const string XunitVsTest = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><IsPackable>false</IsPackable></PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
            <PackageReference Include="xunit" Version="2.9.3" />
            <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
          </ItemGroup>
        </Project>
        """;

    /// <summary>A NuGet.config for projects that need real packages: the feed this machine restores from.</summary>
    public const string PublicFeed = """<configuration><packageSources><clear /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources></configuration>""";

    /// <summary>A NuGet.config that keeps restore off the network: only the workspace's own empty <c>packages</c> folder.</summary>
    public const string LocalFolderOnly = """<configuration><packageSources><clear /><add key="local" value="packages" /></packageSources></configuration>""";
}
