using System.Text;
using CliWrap;
using Orchestra.Build.Building;
using Orchestra.Build.Evaluation;
using Orchestra.Configuration;

namespace Orchestra.Build.Testing;

/// <summary>How a test runner exited, and the last lines it printed.</summary>
internal sealed record TestProcessExit(int ExitCode, IReadOnlyList<string> LastLines);

/// <summary>
/// Runs one built test project's tests, writing a TRX report: a Microsoft.Testing.Platform project is its own runner
/// (its apphost, or <c>dotnet exec</c>), a VSTest project runs under <c>dotnet vstest</c>. Neither goes through
/// MSBuild again, as <c>dotnet test</c> would.
/// </summary>
internal static class TestProcess
{
    private const int KeptLines = 20;

    /// <summary>Microsoft.Testing.Platform's exit code for a run in which no test ran, e.g. a filter matching none of this project's.</summary>
    public const int NoTestsRan = 8;

    public static async Task<TestProcessExit> RunAsync(
        ProjectEvaluation project, string trxPath, string? filter, IReadOnlyDictionary<string, string> environment, Action<string> output,
        CancellationToken cancellationToken)
    {
        var (program, arguments) = CommandLine(project, trxPath, filter);
        var last = new LastLines(KeptLines);
        void Line(string line)
        {
            last.Add(line);
            output(line);
        }
        try
        {
            var result = await Cli.Wrap(program)
                .WithArguments(arguments)
                .WithWorkingDirectory(Path.GetDirectoryName(project.TargetPath)!)
                .WithEnvironmentVariables(env =>
                {
                    foreach (var (name, value) in environment)
                        env.Set(name, value);
                })
                .WithStandardOutputPipe(PipeTarget.ToDelegate(Line, Encoding.UTF8))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(Line, Encoding.UTF8))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(cancellationToken);
            return new TestProcessExit(result.ExitCode, last.ToList());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new TestProcessExit(-1, [.. last.ToList(), $"'{program}' cannot be started: {e.Message.TrimEnd('.')}."]);
        }
    }

    /// <summary>The runner and its arguments for <paramref name="project"/>.</summary>
    public static (string Program, IReadOnlyList<string> Arguments) CommandLine(ProjectEvaluation project, string trxPath, string? filter)
    {
        var folder = Path.GetDirectoryName(trxPath)!;
        if (project.IsTestingPlatform)
        {
            List<string> platform = [.. CommandLineSplitter.Split(project.RunArguments),
                "--results-directory", folder, "--report-trx", "--report-trx-filename", Path.GetFileName(trxPath)];
            if (filter is not null)
                platform.AddRange([project.TestFilterOption, filter]);
            return (project.RunCommand, platform);
        }
        List<string> vstest = ["vstest", project.TargetPath, $"--logger:trx;LogFileName={trxPath}", $"--ResultsDirectory:{folder}"];
        if (filter is not null)
            vstest.Add($"--TestCaseFilter:{filter}");
        return ("dotnet", vstest);
    }
}
