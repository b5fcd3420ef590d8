using System.Text;
using CliWrap;
using Orchestra.Discovery;

namespace Orchestra.Build.Building;

/// <summary>Runs the <c>build:</c> command of a <c>command:</c> service in its folder, keeping its output for the report.</summary>
internal static class CommandBuild
{
    private const int KeptLines = 20;

    public static async Task<ServiceBuildReport> RunAsync(ServiceDefinition service, IBuildProgress progress, CancellationToken cancellationToken)
    {
        var build = service.Config.Build!;
        var output = new LastLines(KeptLines);
        ServiceBuildReport report;
        try
        {
            var result = await Cli.Wrap(build[0])
                .WithArguments(build.Skip(1))
                .WithWorkingDirectory(service.Directory)
                .WithStandardOutputPipe(PipeTarget.ToDelegate(output.Add, Encoding.UTF8))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(output.Add, Encoding.UTF8))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(cancellationToken);
            report = result.ExitCode == 0
                ? new ServiceBuildReport(service.Name, BuildOutcome.Built, [])
                : new ServiceBuildReport(service.Name, BuildOutcome.Failed,
                    output.ToList().Select(line => new BuildDiagnostic(DiagnosticSeverity.Error, null, 0, 0, null, line)).ToList(),
                    $"its build command '{string.Join(' ', build)}' failed with exit code {result.ExitCode}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            report = new ServiceBuildReport(service.Name, BuildOutcome.Invalid, [], $"its build command '{build[0]}' cannot be started: {e.Message.TrimEnd('.')}.");
        }
        progress.Finished(report);
        return report;
    }
}
