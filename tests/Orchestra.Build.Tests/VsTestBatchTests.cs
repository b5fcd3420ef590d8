using System.Text.Json;
using System.Xml.Linq;

namespace Orchestra.Build.Tests;

/// <summary>
/// Three VSTest projects of one <c>test</c> run, built once: crashy's testhost dies in a test (<c>Environment.FailFast</c>),
/// steady's and twin's tests pass, and those two build assemblies of the same file name (<c>Tests.dll</c>).
/// </summary>
public sealed class VsTestBatchFixture : IAsyncLifetime
{
    public BuildWorkspace Workspace { get; } = new BuildWorkspace()
        .Write("NuGet.config", TestProjectFiles.PublicFeed)
        .Service("crashy", BuildWorkspace.Console, "", "Console.WriteLine(\"crashy\");")
        .Write("crashy/Crash.Tests/Crash.Tests.csproj", TestProjectFiles.XunitVsTest)
        .Write("crashy/Crash.Tests/CrashTests.cs", """
            using Xunit;
            namespace Crash.Tests;
            public class CrashTests
            {
                [Fact] public void Dies() => Environment.FailFast("the testhost goes down");
            }
            """)
        .Service("steady", BuildWorkspace.Console, "tests: [Tests]\n", "Console.WriteLine(\"steady\");")
        .Write("steady/Tests/Tests.csproj", TestProjectFiles.XunitVsTest)
        .Write("steady/Tests/StockTests.cs", """
            using Xunit;
            namespace Steady.Tests;
            public class StockTests
            {
                [Fact] public void Counts() => Assert.Equal(3, "abc".Length);
                // A testhost works in its own project's output folder, as under `dotnet vstest`.
                [Fact] public void Works_in_its_output_folder() =>
                    Assert.Equal(AppContext.BaseDirectory.TrimEnd('/'), Environment.CurrentDirectory.TrimEnd('/'));
            }
            """)
        .Service("twin", BuildWorkspace.Console, "tests: [Tests]\n", "Console.WriteLine(\"twin\");")
        .Write("twin/Tests/Tests.csproj", TestProjectFiles.XunitVsTest)
        .Write("twin/Tests/TwinTests.cs", """
            using Xunit;
            namespace Twin.Tests;
            public class TwinTests
            {
                [Fact] public void Mirrors() => Assert.Equal("ba", new string("ab".Reverse().ToArray()));
            }
            """);

    /// <summary>The <c>test --json</c> of every service, cold.</summary>
    public (int ExitCode, string Out, string Error) Run { get; private set; }

    public async Task InitializeAsync() => Run = await Workspace.RunCliAsync("test", "--json");

    public Task DisposeAsync()
    {
        Workspace.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>VSTest projects run together under one vstest.console, and still reported one by one.</summary>
[StartsEarly]
public sealed class VsTestBatchTests(VsTestBatchFixture fixture) : IClassFixture<VsTestBatchFixture>
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    [Fact]
    public void A_crashed_testhost_fails_its_own_project_alone()
    {
        var (code, stdout, error) = fixture.Run;

        Assert.True(code == 1, stdout + error);
        var projects = Projects(stdout);
        Assert.Equal("crashed", projects["crashy/Crash.Tests"].GetProperty("outcome").GetString());
        Assert.Equal("The test runner of crashy/Crash.Tests failed with exit code 1.", projects["crashy/Crash.Tests"].GetProperty("error").GetString());
        Assert.Equal("passed", projects["steady/Tests"].GetProperty("outcome").GetString());
        Assert.Equal(2, projects["steady/Tests"].GetProperty("counts").GetProperty("passed").GetInt32());
        Assert.Equal("passed", projects["twin/Tests"].GetProperty("outcome").GetString());
        Assert.Equal(1, projects["twin/Tests"].GetProperty("counts").GetProperty("passed").GetInt32());
    }

    [Fact]
    public void Assemblies_of_one_file_name_keep_their_own_reports()
    {
        var steady = XDocument.Load(fixture.Workspace.PathOf(".orchestra/test-results/steady.Tests.trx"));
        var twin = XDocument.Load(fixture.Workspace.PathOf(".orchestra/test-results/twin.Tests.trx"));

        Assert.Equal(["Steady.Tests.StockTests.Counts", "Steady.Tests.StockTests.Works_in_its_output_folder"], TestNames(steady));
        Assert.Equal(["Twin.Tests.TwinTests.Mirrors"], TestNames(twin));
        // The run's own combined reports are gone once split.
        Assert.Equal(["crashy.Crash.Tests.trx", "steady.Tests.trx", "twin.Tests.trx"],
            Directory.GetFiles(fixture.Workspace.PathOf(".orchestra/test-results")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static Dictionary<string, JsonElement> Projects(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("projects").EnumerateArray()
            .ToDictionary(p => $"{p.GetProperty("service").GetString()}/{p.GetProperty("project").GetString()}");

    private static IReadOnlyList<string> TestNames(XDocument report) =>
        report.Descendants(Trx + "UnitTest").Select(t => (string)t.Attribute("name")!).Order(StringComparer.Ordinal).ToList();
}
