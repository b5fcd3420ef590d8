using System.Text;
using CliWrap;
using Orchestra.Build.Building;
using Orchestra.Build.Evaluation;
using Orchestra.Configuration;

namespace Orchestra.Build.Testing;

/// <summary>How a test runner exited, and the last lines it printed.</summary>
internal sealed record TestProcessExit(int ExitCode, IReadOnlyList<string> LastLines);

/// <summary>A test runner to start: its program, its arguments, the folder it starts in, and what it adds to the environment.</summary>
internal sealed record RunnerCommand(string Program, IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Runs a test runner that writes a TRX report: a Microsoft.Testing.Platform project is its own runner (its apphost,
/// or <c>dotnet exec</c>); VSTest projects run together under one <c>vstest.console</c> (<see cref="VsTestBatch"/>).
/// Neither goes through MSBuild again, as <c>dotnet test</c> would.
/// </summary>
internal static class TestProcess
{
    private const int KeptLines = 20;

    /// <summary>Microsoft.Testing.Platform's exit code for a run in which no test ran, e.g. a filter matching none of this project's.</summary>
    public const int NoTestsRan = 8;

    public static async Task<TestProcessExit> RunAsync(RunnerCommand command, Action<string> output, CancellationToken cancellationToken)
    {
        var last = new LastLines(KeptLines);
        void Line(string line)
        {
            last.Add(line);
            output(line);
        }
        try
        {
            var result = await Cli.Wrap(command.Program)
                .WithArguments(command.Arguments)
                .WithWorkingDirectory(command.WorkingDirectory)
                .WithEnvironmentVariables(env =>
                {
                    foreach (var (name, value) in command.Environment)
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
            return new TestProcessExit(-1, [.. last.ToList(), $"'{command.Program}' cannot be started: {e.Message.TrimEnd('.')}."]);
        }
    }

    /// <summary>A Microsoft.Testing.Platform project run as its own program, in its output folder, writing <paramref name="trxPath"/>.</summary>
    public static RunnerCommand Platform(ProjectEvaluation project, string trxPath, string? filter, IReadOnlyDictionary<string, string> environment)
    {
        List<string> arguments = [.. CommandLineSplitter.Split(project.RunArguments),
            "--results-directory", Path.GetDirectoryName(trxPath)!, "--report-trx", "--report-trx-filename", Path.GetFileName(trxPath)];
        if (filter is not null)
            arguments.AddRange([project.TestFilterOption, filter]);
        return new RunnerCommand(project.RunCommand, arguments, Path.GetDirectoryName(project.TargetPath)!, environment);
    }
}
