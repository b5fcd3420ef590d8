using System.Text;
using System.Text.Json;
using CliWrap;
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

    /// <summary>
    /// The new launch specs, or why there are none (the build's errors, one per compiler diagnostic; or with
    /// <paramref name="test"/>, the failing unit tests). <paramref name="entering"/> hears each phase as the build
    /// process enters it.
    /// </summary>
    public async Task<PreparedLaunch> RebuildAsync(string service, LaunchOptions options, bool test, Action<RerunPhase> entering, CancellationToken cancellationToken)
    {
        var output = Path.Combine(stateDirectory, $"prepare.{service}.json");
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            File.Delete(output);
            var last = new LastLine();
            var result = await Cli.Wrap(prepare.Program)
                .WithArguments([.. prepare.Arguments, .. Flags(options, test), "--out", output, service])
                .WithEnvironmentVariables(Exactly(options.Environment))
                .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
                {
                    if (Progress(line) is { } progress)
                        entering(progress.Phase);
                    else
                        last.Output = line;
                }, Encoding.UTF8))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(line => last.Error = line, Encoding.UTF8))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(cancellationToken);
            // No outcome written: the command could not even start its work (a configuration error, a crash).
            if (StateFolder.ReadText(output) is not { } written)
                return PreparedLaunch.Failed(last.Said(result.ExitCode), []);
            return JsonSerializer.Deserialize(written, ControlJson.Default.PreparedLaunch) ?? PreparedLaunch.Failed(last.Said(result.ExitCode), []);
        }
        finally
        {
            File.Delete(output);
            _oneAtATime.Release();
        }
    }

    /// <summary>The phase a progress line of <c>__prepare</c> announces, or null for a line of the build's own output.</summary>
    internal static RerunProgress? Progress(string line)
    {
        if (!line.StartsWith(RerunProgress.Prefix, StringComparison.Ordinal))
            return null;
        try
        {
            return JsonSerializer.Deserialize(line.AsSpan(RerunProgress.Prefix.Length), ControlJson.Default.RerunProgress);
        }
        catch (JsonException)
        {
            // A phase this supervisor does not know (a newer tool): it shows none rather than fail the rerun.
            return null;
        }
    }

    /// <summary>The options of <c>__prepare</c> that say what <paramref name="options"/> say.</summary>
    private static IEnumerable<string> Flags(LaunchOptions options, bool test)
    {
        yield return "--for";
        yield return options.Command;
        if (test)
            yield return "--test";
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

    /// <summary>The last line the build process printed on each stream: what explains a failure that left no outcome.</summary>
    private sealed class LastLine
    {
        public string? Output { get; set; }
        public string? Error { get; set; }

        public string Said(int exitCode) =>
            new[] { Error, Output }.Select(l => l?.Trim()).FirstOrDefault(l => !string.IsNullOrEmpty(l)) ?? $"the build exited with code {exitCode}.";
    }

    public void Dispose() => _oneAtATime.Dispose();
}
