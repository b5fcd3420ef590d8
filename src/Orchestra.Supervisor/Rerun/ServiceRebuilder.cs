using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestra.Launching;
using Orchestra.Supervisor.Control;

namespace Orchestra.Supervisor.Rerun;

/// <summary>
/// Rebuilds a service for a rerun through the build host (<see cref="BuildHostProcess"/>), started at the first rerun
/// and kept for the next ones: MSBuild stays loaded and warm there, never in the long-lived supervisor. One build at a
/// time, since services that share a library would otherwise build it twice at once. The host runs in the environment
/// of the command that launched the service (MSBuild reads environment variables as properties), so a service
/// launched from another shell gets a fresh host rather than a build in the wrong environment. A host that ends
/// before it answers (a crash, a kill) is replaced and the rebuild asked once more; the replicas serve on meanwhile.
/// </summary>
internal sealed class ServiceRebuilder(ProcessCommand buildHost, ILogger log) : IAsyncDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private BuildHostProcess? _host;

    /// <summary>The build host's process now, if one runs.</summary>
    public int? HostProcessId => _host is { HasEnded: false } host ? host.ProcessId : null;

    /// <summary>
    /// The new launch specs, or why there are none (the build's errors, one per compiler diagnostic; or with
    /// <paramref name="test"/>, the failing unit tests). <paramref name="entering"/> hears each phase as the build
    /// host enters it.
    /// </summary>
    public async Task<PreparedLaunch> RebuildAsync(string service, LaunchOptions options, bool test, Action<RerunPhase> entering, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var request = BuildHostRequest.For(service, options, test);
            for (var attempt = 1; ; attempt++)
            {
                var host = await HostForAsync(options.Environment);
                PreparedLaunch? answer;
                try
                {
                    answer = await host.AskAsync(request, entering, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // The host cannot be told to drop a build: a rerun no longer waited for ends with its host.
                    await EndHostAsync(kill: true);
                    throw;
                }
                if (answer is not null)
                    return answer;
                var why = host.WhyEnded();
                await EndHostAsync(kill: false);
                log.BuildHostDied(service, host.ProcessId, why, attempt == 1 ? "asking a new one" : "the rerun is given up");
                if (attempt == 2)
                    return PreparedLaunch.Failed($"The build host ended before it answered ({why}).", []);
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>The phase a progress line of the build host announces, or null for a line of the build's own output.</summary>
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

    /// <summary>Ends the build host (the fleet stopped, or nothing is left to rerun).</summary>
    public async Task StopHostAsync()
    {
        await _oneAtATime.WaitAsync();
        try
        {
            await EndHostAsync(kill: false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Ends the build host; safe to call again (the fleet disposes its parts on shutdown and on exit). The semaphore holds no wait handle to release.</summary>
    public async ValueTask DisposeAsync() => await StopHostAsync();

    /// <summary>The running host when it runs in <paramref name="environment"/>, else a new one (the old one ended).</summary>
    private async Task<BuildHostProcess> HostForAsync(IReadOnlyDictionary<string, string> environment)
    {
        if (_host is { HasEnded: false } host && SameEnvironment(host.Environment, environment))
            return host;
        await EndHostAsync(kill: false);
        _host = BuildHostProcess.Start(buildHost, environment);
        log.BuildHostStarted(_host.ProcessId);
        return _host;
    }

    private async Task EndHostAsync(bool kill)
    {
        if (_host is not { } host)
            return;
        _host = null;
        if (kill)
            await host.KillAsync();
        else
            await host.DisposeAsync();
    }

    private static bool SameEnvironment(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);
}
