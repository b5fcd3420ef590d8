using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestra.Build.Building;

namespace Orchestra.Build.Testing;

/// <summary>How a test project's run ended; in JSON, its name in camelCase (<c>passed</c>, <c>buildFailed</c>).</summary>
[JsonConverter(typeof(TestOutcomeWords))]
public enum TestOutcome
{
    /// <summary>Every test that ran passed.</summary>
    Passed,
    /// <summary>At least one test failed.</summary>
    Failed,
    /// <summary>The project did not build, so nothing ran.</summary>
    BuildFailed,
    /// <summary>The runner failed without a failing test to show for it: a crash, an abort, no results written.</summary>
    Crashed,
}

/// <summary>Writes <see cref="TestOutcome"/> as its name in camelCase.</summary>
public sealed class TestOutcomeWords() : JsonStringEnumConverter<TestOutcome>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);

/// <summary>The tests of one run by result; a skipped test is one that did not run (NotExecuted, Inconclusive).</summary>
public sealed record TestCounts(int Passed, int Failed, int Skipped);

/// <summary>A failed test: its full name, its message and the first lines of its stack.</summary>
public sealed record FailedTest(string Name, string Message, IReadOnlyList<string> Stack);

/// <summary>One test project's run.</summary>
public sealed record TestProjectResult(string Service, string Project, string ProjectPath, TestOutcome Outcome, TestCounts Counts, TimeSpan Duration)
{
    public IReadOnlyList<FailedTest> Failures { get; init; } = [];
    /// <summary>The TRX report the run wrote, under <c>.orchestra/test-results/</c>.</summary>
    public string? ResultsFile { get; init; }
    /// <summary>Why it did not pass when no failing test says it: one sentence.</summary>
    public string? Error { get; init; }
    /// <summary>What explains <see cref="Error"/>: the build's errors, or the runner's last lines.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    internal static TestProjectResult NotBuilt(TestTarget target, ServiceBuildReport build) =>
        new(target.Service, target.Name, target.ProjectPath, TestOutcome.BuildFailed, new TestCounts(0, 0, 0), TimeSpan.Zero)
        {
            Error = $"{target} did not build{(build.Error is null ? "" : $": {build.Error.TrimEnd('.')}")}.",
            Details = build.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList(),
        };
}

/// <summary>A whole <c>test</c> run: each selected service's test projects (or why none were found), and each project's run.</summary>
public sealed record UnitTestSummary(IReadOnlyList<ServiceTests> Services, IReadOnlyList<TestProjectResult> Projects)
{
    public bool Succeeded => Services.All(s => s.Error is null) && Projects.All(p => p.Outcome == TestOutcome.Passed);

    /// <summary>
    /// What did not pass, a line each: a service whose tests could not be found, by why; each failing test as
    /// <c>name: message</c> (the message's lines joined); a project that did not build, by its sentence and its
    /// errors; a runner that failed, by its sentence.
    /// </summary>
    public IReadOnlyList<string> Problems() =>
    [
        .. Services.Select(s => s.Error).OfType<string>(),
        .. Projects.SelectMany(p => p.Outcome switch
        {
            TestOutcome.Passed => [],
            TestOutcome.Failed => p.Failures.Select(f => $"{f.Name}: {OneLine(f.Message)}"),
            TestOutcome.BuildFailed => [Sentence(p), .. p.Details],
            _ => [Sentence(p)],
        }),
    ];

    private static string Sentence(TestProjectResult project) => project.Error ?? $"{project.Service}/{project.Project} did not pass.";

    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>Hears how a <c>test</c> run goes: the builds (as a fleet build), then each project's run.</summary>
public interface ITestProgress : IBuildProgress
{
    /// <summary>The project's runner has started.</summary>
    void Testing(TestTarget target);

    /// <summary>
    /// A line a runner printed: <paramref name="runner"/> is the project it runs, or <c>vstest</c> for the one that
    /// runs the VSTest projects together.
    /// </summary>
    void Output(string runner, string line);

    /// <summary>The project's run is over, one way or another.</summary>
    void Tested(TestProjectResult result);
}
