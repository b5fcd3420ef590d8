using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Orchestra.Build.Evaluation;

namespace Orchestra.Build.Testing;

/// <summary>A VSTest project about to run: what it is, and its evaluation after its build.</summary>
internal sealed record VsTestProject(TestTarget Target, ProjectEvaluation Evaluation);

/// <summary>
/// Runs VSTest projects together: one <c>vstest.console</c> for all of them (<c>--Parallel</c>, a testhost per
/// project, up to twice as many at once as the machine has cores), started through <c>dotnet exec</c> as <c>dotnet vstest</c>
/// would start it but without the <c>dotnet</c> CLI, which loads MSBuild, in between. One runner start instead of
/// one per project is most of what a run with nothing to build costs.
/// </summary>
internal static class VsTestBatch
{
    /// <summary>How <c>--verbose</c> names the output of a run of VSTest projects, which is not one project's.</summary>
    public const string OutputName = "vstest";

    /// <summary>
    /// Testhosts started at once per core: one spends much of its start waiting (on the disk, on the runner), so
    /// with one per core the cores idle. Three projects on two cores ran in 0.9 s at once against 1.1 s two at a time,
    /// for the same CPU time; beyond twice the cores more would only hold memory.
    /// </summary>
    private const int TesthostsPerCore = 2;

    /// <summary>
    /// The projects in as few runs as can hold them: those of one <c>vstest.console</c> together, except that two
    /// assemblies of the same file name go to different runs, since vstest names a finished assembly by its file name.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<VsTestProject>> Group(IEnumerable<VsTestProject> projects)
    {
        var batches = new List<List<VsTestProject>>();
        foreach (var project in projects)
        {
            var batch = batches.FirstOrDefault(b => b[0].Evaluation.VsTestConsole == project.Evaluation.VsTestConsole
                && b.TrueForAll(other => !string.Equals(FileName(other), FileName(project), StringComparison.OrdinalIgnoreCase)));
            if (batch is null)
                batches.Add([project]);
            else
                batch.Add(project);
        }
        return batches;
    }

    /// <summary>
    /// The run of <paramref name="projects"/> writing one TRX report, <paramref name="trxPath"/>. Each testhost works
    /// in its own project's output folder, as under <c>dotnet vstest</c>.
    /// </summary>
    public static RunnerCommand Command(IReadOnlyList<VsTestProject> projects, string trxPath, string? filter, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var console = projects[0].Evaluation.VsTestConsole;
        List<string> arguments = console is null ? ["vstest"] : ["exec", console];
        arguments.AddRange(projects.Select(p => p.Evaluation.TargetPath));
        arguments.AddRange(["--Parallel", $"--logger:trx;LogFileName={trxPath}", $"--ResultsDirectory:{Path.GetDirectoryName(trxPath)}"]);
        if (filter is not null)
            arguments.Add($"--TestCaseFilter:{filter}");
        // Run settings given on the command line come last, after "--".
        arguments.AddRange(["--", $"RunConfiguration.MaxCpuCount={Math.Min(projects.Count, TesthostsPerCore * Environment.ProcessorCount)}"]);
        return console is null
            ? new RunnerCommand("dotnet", arguments, workingDirectory, environment)
            : new RunnerCommand(Muxer(console), arguments, workingDirectory, WithDotnetRoot(console, environment));
    }

    private static string FileName(VsTestProject project) => Path.GetFileName(project.Evaluation.TargetPath);

    /// <summary>The .NET installation that holds <paramref name="console"/>: <c>ROOT/sdk/VERSION/vstest.console.dll</c>.</summary>
    private static string? DotnetRoot(string console) => Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(console)));

    /// <summary>That installation's <c>dotnet</c>, else the one on the PATH.</summary>
    private static string Muxer(string console)
    {
        var muxer = DotnetRoot(console) is { } root ? Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet") : null;
        return muxer is not null && File.Exists(muxer) ? muxer : "dotnet";
    }

    /// <summary>
    /// What <c>dotnet vstest</c> tells vstest.console, so that the testhosts run on the same .NET installation: its
    /// root and architecture, unless the user's environment says otherwise.
    /// </summary>
    private static IReadOnlyDictionary<string, string> WithDotnetRoot(string console, IReadOnlyDictionary<string, string> environment)
    {
        var withRoot = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        if (DotnetRoot(console) is { } root)
            withRoot.TryAdd("VSTEST_DOTNET_ROOT_PATH", root);
        withRoot.TryAdd("VSTEST_DOTNET_ROOT_ARCHITECTURE", RuntimeInformation.ProcessArchitecture.ToString());
        return withRoot;
    }
}

/// <summary>
/// Which test assemblies a <c>vstest.console</c> run saw to their end, from what it prints: a summary line for each
/// (<c>Passed!  - Failed: 0, … - alpha.Tests.dll (net10.0)</c>), or a line saying that it holds no test (the filter
/// matched none). An assembly whose testhost crashed gets neither. Safe to feed from both output pipes.
/// </summary>
internal sealed partial class VsTestSources
{
    private readonly Lock gate = new();
    private readonly HashSet<string> summarised = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> noTests = [];

    public void See(string line)
    {
        lock (gate)
        {
            if (SummaryLine().Match(line) is { Success: true } summary)
                summarised.Add(summary.Groups["file"].Value);
            else if (line.StartsWith("No test ", StringComparison.Ordinal))
                noTests.Add(line);
        }
    }

    /// <summary>Whether the run finished the assembly <paramref name="targetPath"/>.</summary>
    public bool Finished(string targetPath)
    {
        lock (gate)
            return summarised.Contains(Path.GetFileName(targetPath)) || noTests.Exists(line => line.Contains(targetPath, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^\s*\w+!\s+- Failed:.* - (?<file>[^/\\]+) \([^)]*\)\s*$")]
    private static partial Regex SummaryLine();
}
