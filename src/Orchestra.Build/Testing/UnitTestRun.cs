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

    /// <summary>
    /// Builds the projects, then runs the VSTest ones together (<see cref="VsTestBatch"/>) beside each
    /// Microsoft.Testing.Platform one, at most as many runners at once as the machine has cores.
    /// </summary>
    private async Task<UnitTestSummary> RunFoundAsync(IReadOnlyList<ServiceTests> found, IReadOnlyList<ServiceDefinition> owners, UnitTestOptions options, CancellationToken cancellationToken)
    {
        var projects = found
            .SelectMany(f => f.Projects.Select(target => (Owner: owners.First(s => s.Name == f.Service), Target: target)))
            .ToList();
        var built = await new TestProjectBuilder(workspace, progress).BuildAsync(projects, cancellationToken);
        var folder = ResultsFolder();
        using var slots = new SemaphoreSlim(Environment.ProcessorCount);
        var vsTest = built.Where(b => b.Evaluation is { IsTestingPlatform: false }).Select(b => new VsTestProject(b.Target, b.Evaluation!)).ToList();
        // The batches first: they hold the most tests, so they take the first slots.
        var batches = VsTestBatch.Group(vsTest).Select((batch, n) => RunBatchAsync(batch, n, folder, options, slots, cancellationToken)).ToList();
        var alone = built.Where(b => b.Evaluation is not { IsTestingPlatform: false }).Select(b => RunOneAsync(b, folder, options, slots, cancellationToken)).ToList();
        var results = (await Task.WhenAll(batches)).SelectMany(r => r).Concat(await Task.WhenAll(alone))
            .ToDictionary(r => (r.Service, r.Project));
        return new UnitTestSummary(found, built.Select(b => results[(b.Target.Service, b.Target.Name)]).ToList());
    }

    private string ResultsFolder()
    {
        StateFolder.Create(workspace.StateDirectory);
        return StateFolder.EnsureSubfolder(Path.Combine(workspace.StateDirectory, ResultsFolderName));
    }

    /// <summary>Where a project's TRX report goes; a report left by an earlier run is deleted, so that it never passes for this one's.</summary>
    private static string FreshReport(string folder, TestTarget target)
    {
        var trx = Path.Combine(folder, $"{target.Service}.{target.Name}.trx");
        File.Delete(trx);
        return trx;
    }

    /// <summary>A project that did not build, or a Microsoft.Testing.Platform project, which is its own runner.</summary>
    private async Task<TestProjectResult> RunOneAsync(BuiltTestProject built, string folder, UnitTestOptions options, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        if (built.Evaluation is not { } evaluation)
            return Tested(TestProjectResult.NotBuilt(built.Target, built.Build));
        await slots.WaitAsync(cancellationToken);
        try
        {
            var target = built.Target;
            progress.Testing(target);
            var trx = FreshReport(folder, target);
            var clock = Stopwatch.StartNew();
            var command = TestProcess.Platform(evaluation, trx, options.Filter, options.Environment);
            var exit = await TestProcess.RunAsync(command, line => progress.Output(target.ToString(), line), cancellationToken);
            return Tested(Judge(target, exit, TrxReader.Read(trx), trx, clock.Elapsed, noTestsRan: TestProcess.NoTestsRan));
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// VSTest projects in one <c>vstest.console</c>, which holds one slot however many testhosts it runs. Its one
    /// report is split into each project's own; a project it did not see to the end (its testhost crashed) is judged
    /// by the runner's exit code, any other by its own results alone.
    /// </summary>
    private async Task<IReadOnlyList<TestProjectResult>> RunBatchAsync(
        IReadOnlyList<VsTestProject> batch, int number, string folder, UnitTestOptions options, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            foreach (var project in batch)
                progress.Testing(project.Target);
            var reports = batch.ToDictionary(p => p.Evaluation.TargetPath, p => FreshReport(folder, p.Target));
            // '~' never occurs in a service's name, so the run's own report never meets a project's.
            var combined = Path.Combine(folder, $"~vstest-{number}.trx");
            File.Delete(combined);
            var sources = new VsTestSources();
            var command = VsTestBatch.Command(batch, combined, options.Filter, workspace.Root, options.Environment);
            var exit = await TestProcess.RunAsync(command, line =>
            {
                sources.See(line);
                progress.Output(VsTestBatch.OutputName, line);
            }, cancellationToken);
            TrxSplitter.Split(combined, reports);
            File.Delete(combined);
            return batch.Select(p =>
            {
                var trx = reports[p.Evaluation.TargetPath];
                var report = TrxReader.Read(trx);
                var own = sources.Finished(p.Evaluation.TargetPath) ? exit with { ExitCode = 0 } : exit;
                return Tested(Judge(p.Target, own, report, trx, report?.Ran ?? TimeSpan.Zero, noTestsRan: null));
            }).ToList();
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// A failing test fails the project; a runner that exits badly with no failing test to show (a crash, an abort,
    /// a bad filter) fails it too, with its last lines, unless it only says that no test ran (<paramref name="noTestsRan"/>).
    /// </summary>
    private static TestProjectResult Judge(TestTarget target, TestProcessExit exit, TrxResults? report, string trx, TimeSpan duration, int? noTestsRan)
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
        if (exit.ExitCode != 0 && exit.ExitCode != noTestsRan)
            return result with { Outcome = TestOutcome.Crashed, Error = $"The test runner of {target} failed with exit code {exit.ExitCode}.", Details = exit.LastLines };
        return result;
    }

    private TestProjectResult Tested(TestProjectResult result)
    {
        progress.Tested(result);
        return result;
    }
}
