using System.Diagnostics;

namespace Orchestra.Build.Tests;

/// <summary>
/// One workspace whose test projects are built once for every test of <see cref="UnitTestCollection"/>: alpha with a
/// VSTest xunit project found by <c>IsTestProject</c> (one test passes, one fails, one is skipped), beta with an
/// MSTest project on Microsoft.Testing.Platform named by <c>tests:</c>, gamma with a passing xunit project, and delta
/// with none. The first <c>test</c> of the whole workspace is run here, cold.
/// </summary>
public sealed class UnitTestFixture : IAsyncLifetime
{
    private const string Xunit = TestProjectFiles.XunitVsTest;

    private const string MSTestRunner = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework><OutputType>Exe</OutputType><EnableMSTestRunner>true</EnableMSTestRunner>
            <IsPackable>false</IsPackable><NoWarn>$(NoWarn);MSTEST0032</NoWarn>
          </PropertyGroup>
          <ItemGroup><PackageReference Include="MSTest" Version="4.5.2" /></ItemGroup>
        </Project>
        """;

    public BuildWorkspace Workspace { get; } = new BuildWorkspace()
        // These projects need real packages, from the feed the machine restores from, not the empty local folder.
        .Write("NuGet.config", TestProjectFiles.PublicFeed)
        .Service("alpha", BuildWorkspace.Console, "", "Console.WriteLine(\"alpha\");")
        .Write("alpha/tests/Alpha.Tests/Alpha.Tests.csproj", Xunit)
        .Write("alpha/tests/Alpha.Tests/PriceTests.cs", """
            using Xunit;
            namespace Alpha.Tests;
            public class PriceTests
            {
                [Fact] public void Adds_tax() => Assert.Equal(120, 100 * 12 / 10);
                [Fact] public void Rounds_down() => Assert.True(7 / 2 == 4, "seven halves round down to 3, not 4");
                [Fact(Skip = "not yet")] public void Converts_currency() { }
            }
            """)
        .Service("beta", BuildWorkspace.Console, "tests: [Beta.Tests]\n", "Console.WriteLine(\"beta\");")
        .Write("beta/Beta.Tests/Beta.Tests.csproj", MSTestRunner)
        .Write("beta/Beta.Tests/StockTests.cs", """
            using Microsoft.VisualStudio.TestTools.UnitTesting;
            namespace Beta.Tests;
            [TestClass] public class StockTests
            {
                [TestMethod] public void Counts() => Assert.AreEqual(3, "abc".Length);
                [TestMethod] public void Reserves() => Assert.AreEqual(2, "ab".Length);
                [TestMethod] public void Releases() => Assert.AreEqual(1, "a".Length);
                [TestMethod, Ignore("later")] public void Expires() { }
            }
            """)
        .Service("gamma", BuildWorkspace.Console, "", "Console.WriteLine(\"gamma\");")
        .Write("gamma/Gamma.Tests/Gamma.Tests.csproj", Xunit)
        .Write("gamma/Gamma.Tests/NameTests.cs", """
            using Xunit;
            namespace Gamma.Tests;
            public class NameTests
            {
                [Fact] public void Upper() => Assert.Equal("A", "a".ToUpperInvariant());
                [Fact] public void Lower() => Assert.Equal("a", "A".ToLowerInvariant());
            }
            """)
        .Service("delta", BuildWorkspace.Console, "", "Console.WriteLine(\"delta\");");

    /// <summary>The first, cold <c>test</c> of every service.</summary>
    public (int ExitCode, string Out, string Error) FirstRun { get; private set; }

    public TimeSpan FirstRunTime { get; private set; }

    /// <summary>
    /// The TRX reports the first run left in <c>.orchestra/test-results/</c>, by file name, read at once: the tests
    /// that run <c>test</c> again write over them.
    /// </summary>
    public IReadOnlyDictionary<string, string> FirstReports { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        FirstRun = await Workspace.RunCliAsync("test");
        FirstRunTime = clock.Elapsed;
        FirstReports = Directory.GetFiles(Workspace.PathOf(".orchestra/test-results")).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
    }

    public Task DisposeAsync()
    {
        Workspace.Dispose();
        return Task.CompletedTask;
    }
}

[StartsEarly]
[CollectionDefinition(Name)]
public sealed class UnitTestCollection : ICollectionFixture<UnitTestFixture>
{
    public const string Name = "unit tests";
}
