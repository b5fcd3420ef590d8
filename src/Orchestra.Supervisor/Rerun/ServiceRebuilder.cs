using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using Orchestra.Supervisor.Control;

namespace Orchestra.Supervisor.Rerun;

/// <summary>The outcome of one rebuild: the new launch specs, or the build's errors (one per compiler diagnostic).</summary>
internal sealed record RebuildOutcome(PreparedLaunch? Prepared, IReadOnlyList<string> Errors);

/// <summary>
/// Rebuilds a service for a rerun by running the tool's hidden <c>__prepare</c> command: MSBuild then loads in a
/// process that ends with the build, never in the long-lived supervisor. One build at a time, since services that
/// share a library would otherwise build it twice at once.
/// </summary>
internal sealed class ServiceRebuilder(ProcessCommand prepare, string stateDirectory) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<RebuildOutcome> RebuildAsync(string service, CancellationToken cancellationToken)
    {
        var output = Path.Combine(stateDirectory, $"prepare.{service}.json");
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            File.Delete(output);
            var result = await Cli.Wrap(prepare.Program)
                .WithArguments([.. prepare.Arguments, "--out", output, service])
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(output))
                return new RebuildOutcome(null, ErrorsOf(result));
            return new RebuildOutcome(JsonSerializer.Deserialize(await File.ReadAllTextAsync(output, cancellationToken), ControlJson.Default.PreparedLaunch), []);
        }
        finally
        {
            File.Delete(output);
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// What went wrong, as a developer wants it: the compiler's <c>file(line,col): error CS…</c> lines when there
    /// are any, else the tool's own <c>error:</c> sentences, else its last line. Never empty.
    /// </summary>
    private static IReadOnlyList<string> ErrorsOf(BufferedCommandResult result)
    {
        var lines = (result.StandardOutput + "\n" + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var diagnostics = lines.Where(l => l.Contains(": error ", StringComparison.Ordinal) && !l.StartsWith("error: ", StringComparison.Ordinal)).Distinct().ToList();
        if (diagnostics.Count > 0)
            return diagnostics;
        var errors = lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).Select(l => l["error: ".Length..]).ToList();
        return errors.Count > 0 ? errors : [lines.LastOrDefault() ?? $"the build exited with code {result.ExitCode}."];
    }

    public void Dispose() => _oneAtATime.Dispose();
}
