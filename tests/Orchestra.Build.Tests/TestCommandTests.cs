using Xunit.Abstractions;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Orchestra.Build.Tests;

/// <summary><c>test [svc…]</c> on real test projects, VSTest and Microsoft.Testing.Platform, built and run for real.</summary>
[Collection(UnitTestCollection.Name)]
public sealed class TestCommandTests(UnitTestFixture fixture, ITestOutputHelper output)
{
    private BuildWorkspace Workspace => fixture.Workspace;

    [Fact]
    public void A_failing_test_fails_the_run_and_is_named_with_its_message_and_stack()
    {
        var (code, stdout, _) = fixture.FirstRun;
        output.WriteLine($"cold test of 3 test projects: {fixture.FirstRunTime.TotalSeconds:0.0} s\n{stdout}");

        Assert.Equal(1, code);
        Assert.Contains("failed Alpha.Tests.PriceTests.Rounds_down (alpha/Alpha.Tests)", stdout);
        Assert.Contains("seven halves round down to 3, not 4", stdout);
        Assert.Matches(@"at Alpha\.Tests\.PriceTests\.Rounds_down\(\) in .*PriceTests\.cs:line 6", stdout);
        Assert.DoesNotContain("Adds_tax", stdout);
    }

    [Fact]
    public void The_table_counts_each_project_exactly_and_lists_a_service_without_tests()
    {
        var stdout = fixture.FirstRun.Out;

        Assert.Matches(Row("alpha", "Alpha.Tests", 1, 1, 1, "failed"), stdout);
        Assert.Matches(Row("beta", "Beta.Tests", 3, 0, 1, "passed"), stdout);
        Assert.Matches(Row("gamma", "Gamma.Tests", 2, 0, 0, "passed"), stdout);
        Assert.Matches(@"(?m)^\s*delta\s+no test projects\s", stdout);
        Assert.Contains("3 test projects: 6 passed, 1 failed, 2 skipped.", stdout);
    }

    [Fact]
    public void Each_project_leaves_a_trx_report_in_the_state_folder()
    {
        var reports = fixture.FirstReports;

        Assert.Equal(["alpha.Alpha.Tests.trx", "beta.Beta.Tests.trx", "gamma.Gamma.Tests.trx"], reports.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("outcome=\"Failed\"", reports["alpha.Alpha.Tests.trx"]);
    }

    [Fact]
    public void The_vstest_projects_run_together_yet_each_report_holds_its_own_tests_and_counts()
    {
        // alpha and gamma are VSTest projects: one vstest.console runs both, and its report is split between them.
        var alpha = Report("alpha.Alpha.Tests.trx");
        var gamma = Report("gamma.Gamma.Tests.trx");

        Assert.Equal(["Alpha.Tests.PriceTests.Adds_tax", "Alpha.Tests.PriceTests.Converts_currency", "Alpha.Tests.PriceTests.Rounds_down"], Names(alpha, "UnitTest"));
        Assert.Equal(3, alpha.Descendants(Trx + "UnitTestResult").Count());
        Assert.Equal(("Failed", "3", "1", "1", "1"), Counters(alpha));
        Assert.Equal(["Gamma.Tests.NameTests.Lower", "Gamma.Tests.NameTests.Upper"], Names(gamma, "UnitTest"));
        Assert.Equal(2, gamma.Descendants(Trx + "UnitTestResult").Count());
        Assert.Equal(("Completed", "2", "2", "0", "0"), Counters(gamma));
    }

    [Fact]
    public async Task Services_whose_tests_pass_exit_0_without_building_again()
    {
        var (code, stdout, error) = await Workspace.RunCliAsync("test", "beta", "gamma");

        Assert.True(code == 0, stdout + error);
        Assert.Contains("beta/Beta.Tests: up to date", stdout);
        Assert.Contains("gamma/Gamma.Tests: up to date", stdout);
        Assert.DoesNotContain("alpha", stdout);
        Assert.Contains("2 test projects: 5 passed, 0 failed, 1 skipped.", stdout);
    }

    [Fact]
    public async Task A_filter_reaches_the_runner()
    {
        var (code, stdout, error) = await Workspace.RunCliAsync("test", "alpha", "--filter", "FullyQualifiedName!~Rounds_down");

        Assert.True(code == 0, stdout + error);
        Assert.Matches(Row("alpha", "Alpha.Tests", 1, 0, 1, "passed"), stdout);
    }

    [Fact]
    public async Task A_filter_that_matches_none_of_a_projects_tests_in_a_shared_run_is_no_failure()
    {
        var (code, stdout, error) = await Workspace.RunCliAsync("test", "alpha", "gamma", "--filter", "FullyQualifiedName~Gamma");

        Assert.True(code == 0, stdout + error);
        Assert.Matches(Row("alpha", "Alpha.Tests", 0, 0, 0, "passed"), stdout);
        Assert.Matches(Row("gamma", "Gamma.Tests", 2, 0, 0, "passed"), stdout);
    }

    [Fact]
    public async Task Json_gives_the_same_results_for_scripts()
    {
        var (code, stdout, _) = await Workspace.RunCliAsync("test", "alpha", "beta", "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(stdout);
        var projects = json.RootElement.GetProperty("projects").EnumerateArray().ToDictionary(p => p.GetProperty("project").GetString()!);
        Assert.Equal("failed", projects["Alpha.Tests"].GetProperty("outcome").GetString());
        Assert.Equal(1, projects["Alpha.Tests"].GetProperty("counts").GetProperty("failed").GetInt32());
        var failure = Assert.Single(projects["Alpha.Tests"].GetProperty("failures").EnumerateArray());
        Assert.Equal("Alpha.Tests.PriceTests.Rounds_down", failure.GetProperty("name").GetString());
        Assert.Equal("passed", projects["Beta.Tests"].GetProperty("outcome").GetString());
        Assert.Equal(3, projects["Beta.Tests"].GetProperty("counts").GetProperty("passed").GetInt32());
        Assert.EndsWith("beta.Beta.Tests.trx", projects["Beta.Tests"].GetProperty("resultsFile").GetString());
    }

    [Fact]
    public async Task Verbose_shows_the_runners_own_output()
    {
        var (_, stdout, _) = await Workspace.RunCliAsync("test", "beta", "--verbose");

        // Microsoft.Testing.Platform's own summary line, prefixed with the project it came from.
        Assert.Matches(@"(?m)^beta/Beta\.Tests \| .*succeeded: 3", stdout);
    }

    [Fact]
    public async Task An_unknown_service_is_bad_usage()
    {
        var (code, _, error) = await Workspace.RunCliAsync("test", "nope");

        Assert.Equal(2, code);
        Assert.Equal("error: There is no service named 'nope' (known services: alpha, beta, delta, gamma).", error.Trim());
    }

    [Fact]
    public async Task A_tests_entry_that_names_no_project_is_bad_usage_at_its_line()
    {
        using var workspace = new BuildWorkspace().Service("orders", BuildWorkspace.Console, "port: 5100\ntests: [Orders.Tests]\n");

        var (code, _, error) = await workspace.RunCliAsync("test");

        Assert.Equal(2, code);
        Assert.StartsWith($"error: {workspace.PathOf("orders/service.yml")}:2:9: the test project 'Orders.Tests' of service 'orders' is neither a project file", error);
    }

    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    private XDocument Report(string name) => XDocument.Parse(fixture.FirstReports[name]);

    private static IReadOnlyList<string> Names(XDocument report, string element) =>
        report.Descendants(Trx + element).Select(e => (string)e.Attribute("name")!).Order(StringComparer.Ordinal).ToList();

    /// <summary>The report's outcome and its counters total, passed, failed and notExecuted.</summary>
    private static (string?, string?, string?, string?, string?) Counters(XDocument report)
    {
        var summary = report.Descendants(Trx + "ResultSummary").Single();
        var counters = summary.Element(Trx + "Counters")!;
        return ((string?)summary.Attribute("outcome"), (string?)counters.Attribute("total"), (string?)counters.Attribute("passed"),
            (string?)counters.Attribute("failed"), (string?)counters.Attribute("notExecuted"));
    }

    private static string Row(string service, string project, int passed, int failed, int skipped, string result) =>
        $@"(?m)^\s*{service}\s+{Regex.Escape(project)}\s+{passed}\s+{failed}\s+{skipped}\s+[0-9.]+ s\s+{result}\s*$";
}
