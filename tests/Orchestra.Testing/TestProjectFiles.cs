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
}
