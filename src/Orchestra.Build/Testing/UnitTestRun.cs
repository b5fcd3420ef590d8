using System.Diagnostics;
using Orchestra.Build.Building;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.State;

namespace Orchestra.Build.Testing;

/// <summary>What a <c>test</c> run is asked for: the runner's filter, and the environment the runners get (<c>commands.test.env</c> included).</summary>
public sealed record UnitTestOptions(string? Filter, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// <c>test [svc…]</c>: finds the selected services' unit test projects, builds them in one MSBuild session, runs them
/// in parallel within the machine's cores, and reads each one's TRX report from <c>.orchestra/test-results/</c>.
/// </summary>
public sealed class UnitTestRun(Workspace workspace, ITestProgress progress)
{
    public const string ResultsFolderName = "test-results";

    /// <exception cref="Locating.SdkNotFoundException">No usable SDK.</exception>
    /// <exception cref="Evaluation.SdkTooOldException">The SDK cannot build a project's framework.</exception>
    public async Task<UnitTestSummary> RunAsync(IReadOnlyList<ServiceDefinition> services, UnitTestOptions options, CancellationToken cancellationToken)
    {
        var found = await TestDiscovery.FindAsync(services, new FleetBuilder(workspace, progress), cancellationToken);
        return await RunFoundAsync(found, services, options, cancellationToken);
    }

    /// <summary>
    /// The <c>acceptance:</c> projects of orchestra.yml, run as <see cref="RunAsync"/> runs unit tests, under the name
    /// <see cref="AcceptanceName"/>; <paramref name="found"/> comes from <see cref="FindAcceptance"/>.
    /// </summary>
    public Task<UnitTestSummary> RunAcceptanceAsync(ServiceTests found, UnitTestOptions options, CancellationToken cancellationToken) =>
        RunFoundAsync([found], [AcceptanceOwner(workspace)], options, cancellationToken);

    /// <summary>How the table and the TRX reports name the acceptance projects.</summary>
    public const string AcceptanceName = "acceptance";

    /// <summary>The acceptance projects orchestra.yml names, or why one of its entries names none.</summary>
    public static ServiceTests FindAcceptance(Workspace workspace)
    {
        var paths = new List<string>();
        foreach (var entry in workspace.Config.Acceptance)
        {
            if (TestProjectPaths.Resolve(workspace.Root, entry) is not { } path)
                return new ServiceTests(AcceptanceName, [], $"the acceptance project '{entry}' of orchestra.yml is neither a project file nor a folder holding exactly one ({Path.GetFullPath(entry, workspace.Root)}).");
            paths.Add(path);
        }
        return TestDiscovery.Named(AcceptanceName, paths);
    }

    /// <summary>
    /// The acceptance projects belong to no service: they are built as a command service of the workspace root would
    /// be, configured by orchestra.yml alone.
    /// </summary>
    private static ServiceDefinition AcceptanceOwner(Workspace workspace) => new()
    {
        Name = AcceptanceName,
        Directory = workspace.Root,
        Config = new ServiceConfig { FilePath = workspace.Config.FilePath },
        Kind = ServiceKind.Command,
        Restart = workspace.Config.Defaults.Restart,
        StopTimeout = workspace.Config.Defaults.StopTimeout,
        Health = new HealthConfig(HealthKind.None, null, HealthConfig.DefaultInterval, HealthConfig.DefaultTimeout),
    };

    private async Task<UnitTestSummary> RunFoundAsync(IReadOnlyList<ServiceTests> found, IReadOnlyList<ServiceDefinition> owners, UnitTestOptions options, CancellationToken cancellationToken)
    {
        var projects = found
            .SelectMany(f => f.Projects.Select(target => (Owner: owners.First(s => s.Name == f.Service), Target: target)))
            .ToList();
        var built = await new TestProjectBuilder(workspace, progress).BuildAsync(projects, cancellationToken);
        var folder = ResultsFolder();
        using var slots = new SemaphoreSlim(Environment.ProcessorCount);
        var results = await Task.WhenAll(built.Select(b => RunOneAsync(b, folder, options, slots, cancellationToken)));
        return new UnitTestSummary(found, results);
    }

    private string ResultsFolder()
    {
        StateFolder.Create(workspace.StateDirectory);
        return StateFolder.EnsureSubfolder(Path.Combine(workspace.StateDirectory, ResultsFolderName));
    }

    private async Task<TestProjectResult> RunOneAsync(BuiltTestProject built, string folder, UnitTestOptions options, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        if (built.Evaluation is not { } evaluation)
            return Tested(TestProjectResult.NotBuilt(built.Target, built.Build));
        await slots.WaitAsync(cancellationToken);
        try
        {
            var target = built.Target;
            progress.Testing(target);
            var trx = Path.Combine(folder, $"{target.Service}.{target.Name}.trx");
            // A report left by an earlier run must never pass for this one's.
            File.Delete(trx);
            var clock = Stopwatch.StartNew();
            var exit = await TestProcess.RunAsync(evaluation, trx, options.Filter, options.Environment, line => progress.Output(target, line), cancellationToken);
            return Tested(Judge(target, evaluation.IsTestingPlatform, exit, TrxReader.Read(trx), trx, clock.Elapsed));
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// A failing test fails the project; a runner that exits badly with no failing test to show (a crash, an abort,
    /// a bad filter) fails it too, with its last lines, unless it only says that no test ran.
    /// </summary>
    private static TestProjectResult Judge(TestTarget target, bool testingPlatform, TestProcessExit exit, TrxResults? report, string trx, TimeSpan duration)
    {
        var result = new TestProjectResult(target.Service, target.Name, target.ProjectPath, TestOutcome.Passed, report?.Counts ?? new TestCounts(0, 0, 0), duration)
        {
            Failures = report?.Failures ?? [],
            ResultsFile = report is null ? null : trx,
        };
        if (report is null)
            return result with { Outcome = TestOutcome.Crashed, Error = $"The test runner of {target} exited with code {exit.ExitCode} without writing its results.", Details = exit.LastLines };
        if (report.Counts.Failed > 0)
            return result with { Outcome = TestOutcome.Failed };
        if (exit.ExitCode != 0 && !(testingPlatform && exit.ExitCode == TestProcess.NoTestsRan))
            return result with { Outcome = TestOutcome.Crashed, Error = $"The test runner of {target} failed with exit code {exit.ExitCode}.", Details = exit.LastLines };
        return result;
    }

    private TestProjectResult Tested(TestProjectResult result)
    {
        progress.Tested(result);
        return result;
    }
}
