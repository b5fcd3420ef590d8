using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using Orchestra.Launching;
using Orchestra.State;
using Orchestra.Variables;
using Orchestra.Supervisor.Control;

namespace Orchestra.Supervisor.Rerun;

/// <summary>
/// Rebuilds a service for a rerun by running the tool's hidden <c>__prepare</c> command: MSBuild then loads in a
/// process that ends with the build, never in the long-lived supervisor. One build at a time, since services that
/// share a library would otherwise build it twice at once. The build runs with the options and the environment of
/// the command that launched the service, so that the specs it gives launch the service as that command did.
/// </summary>
internal sealed class ServiceRebuilder(ProcessCommand prepare, string stateDirectory) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>The new launch specs, or why there are none (the build's errors, one per compiler diagnostic).</summary>
    public async Task<PreparedLaunch> RebuildAsync(string service, LaunchOptions options, CancellationToken cancellationToken)
    {
        var output = Path.Combine(stateDirectory, $"prepare.{service}.json");
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            File.Delete(output);
            var result = await Cli.Wrap(prepare.Program)
                .WithArguments([.. prepare.Arguments, .. Flags(options), "--out", output, service])
                .WithEnvironmentVariables(Exactly(options.Environment))
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(cancellationToken);
            // No outcome written: the command could not even start its work (a configuration error, a crash).
            if (StateFolder.ReadText(output) is not { } written)
                return PreparedLaunch.Failed(LastLineOf(result), []);
            return JsonSerializer.Deserialize(written, ControlJson.Default.PreparedLaunch) ?? PreparedLaunch.Failed(LastLineOf(result), []);
        }
        finally
        {
            File.Delete(output);
            _oneAtATime.Release();
        }
    }

    /// <summary>The options of <c>__prepare</c> that say what <paramref name="options"/> say.</summary>
    private static IEnumerable<string> Flags(LaunchOptions options)
    {
        yield return "--for";
        yield return options.Command;
        if (!options.KillOutside)
            yield return "--no-kill-outside";
        if (!options.Rerun)
            yield return "--noreload";
        if (options.Docker)
            yield return "--docker";
    }

    /// <summary>CliWrap adds to the supervisor's own environment: a variable the launching shell did not have is removed.</summary>
    private static Dictionary<string, string?> Exactly(IReadOnlyDictionary<string, string> environment)
    {
        var exactly = ProcessEnvironment.Read().Keys.ToDictionary(name => name, _ => (string?)null);
        foreach (var (name, value) in environment)
            exactly[name] = value;
        return exactly;
    }

    private static string LastLineOf(BufferedCommandResult result) =>
        (result.StandardError + "\n" + result.StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault() ?? $"the build exited with code {result.ExitCode}.";

    public void Dispose() => _oneAtATime.Dispose();
}
