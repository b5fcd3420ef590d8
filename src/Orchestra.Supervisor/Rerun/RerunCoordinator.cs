using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Watch;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Fleet;
using Orchestra.Launching;

namespace Orchestra.Supervisor.Rerun;

/// <summary>
/// Rerun on change: watches the services that rerun, rebuilds one whose files changed (outside the fleet gate, so ps
/// and logs stay quick), then replaces its replicas through the rollout, rolling behind the proxy. A failed build
/// leaves the replicas running the previous one, and ps and the event log say why; so does, with <c>watch.test</c>, a
/// failing unit test. While the rebuild runs, ps shows its phase (building, testing) as the build host reports it.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RerunCoordinator : IAsyncDisposable
{
    /// <summary>Default rerun triggers of a project service beyond its evaluated files: a new source or project file in its folder.</summary>
    private static readonly IReadOnlyList<string> ProjectSourceGlobs =
        ["**/*.cs", "**/*.fs", "**/*.vb", "**/*.razor", "**/*.cshtml", .. WorkspaceFolders.ProjectPatterns.Select(p => "**/" + p), "**/*.props", "**/*.targets"];

    private readonly FleetGate _gate;
    private readonly ServiceRollout _rollout;
    private readonly ServiceRebuilder _rebuilder;
    private readonly LaunchStore _launches;
    private readonly LoadedWorkspace _workspace;
    private readonly ReplicaTable _table;
    private readonly ServiceEventLog _events;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly ServiceWatches _watches;
    private readonly RerunFailures _failures;
    private readonly RerunPhases _phases;

    public RerunCoordinator(FleetGate gate, ServiceRollout rollout, ServiceRebuilder rebuilder, LaunchStore launches, LoadedWorkspace workspace,
        ReplicaTable table, RerunFailures failures, RerunPhases phases, ServiceEventLog events, ILogger log, TimeProvider time)
    {
        (_gate, _rollout, _rebuilder, _launches, _workspace, _table, _events, _log, _time) = (gate, rollout, rebuilder, launches, workspace, table, events, log, time);
        (_failures, _phases) = (failures, phases);
        _watches = new ServiceWatches(RerunAsync, log);
    }

    /// <summary>Whether a change to the service's files is seen now.</summary>
    public bool IsWatching(string service) => _watches.IsArmed(service);

    /// <summary>
    /// Starts (or replaces) the service's watch when it reruns on change. A project service watches the files its
    /// evaluation names and new sources in its folder; a command service only what its <c>watch.include</c> names,
    /// since Orchestra cannot tell its sources from the files it writes.
    /// </summary>
    public async Task WatchAsync(ServiceDefinition service)
    {
        if (_launches.Find(service.Name) is { Options.Rerun: true } launch && WatchSetFor(service, launch) is { } set)
            await _watches.WatchAsync(service.Name, set);
        else
            await _watches.StopAsync(service.Name);
    }

    /// <summary>Stops watching a stopped service and forgets why its last rerun failed.</summary>
    public async Task ForgetAsync(string service)
    {
        await _watches.StopAsync(service);
        _failures.TryRemove(service, out _);
        // Nothing left to rerun: the build host gives its memory back now rather than at its idle timeout.
        if (!_watches.Any)
            await _rebuilder.StopHostAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _watches.DisposeAsync();
        await _rebuilder.DisposeAsync();
    }

    private static WatchSet? WatchSetFor(ServiceDefinition service, LaunchSpec launch)
    {
        var watch = service.Config.Watch;
        var include = watch.Include.Count > 0 ? watch.Include : service.Kind == ServiceKind.Project ? ProjectSourceGlobs : [];
        if (include.Count == 0 && launch.WatchFiles.Count == 0)
            return null;
        return new WatchSet { Files = launch.WatchFiles, Folders = [service.Directory], Include = include, Exclude = watch.Exclude };
    }

    /// <summary>Reruns a service whose files changed; returns the watch set after a rebuild, whose files may have changed.</summary>
    private async Task<WatchSet?> RerunAsync(string service, IReadOnlyList<string> changed, CancellationToken cancellationToken)
    {
        if (_workspace.Current.FindService(service) is not { } definition || _launches.Find(service) is not { } launch)
            return null;
        var names = string.Join(", ", changed.Take(3).Select(p => Path.GetRelativePath(definition.Directory, p))) + (changed.Count > 3 ? ", …" : "");
        _log.FilesChanged(service, names);
        _events.Write(service, LogStream.Stdout, [$"{names} changed: rerunning"]);
        var began = _time.GetTimestamp();
        if (definition.Kind == ServiceKind.Project || definition.Config.Build is not null)
        {
            var prepared = await RebuildAsync(service, launch.Options, definition.Config.Watch.Test, cancellationToken);
            _log.Built(service, _time.GetElapsedTime(began).TotalSeconds);
            if (!prepared.Succeeded || prepared.Launch.FirstOrDefault(l => l.Service == service) is not { } rebuilt)
            {
                var failed = new RerunFailure(prepared.FailedIn, prepared.Errors.Count > 0 ? prepared.Errors : ["the build gave no launch spec."]);
                _failures[service] = failed;
                Tell(service, failed);
                return null;
            }
            _failures.TryRemove(service, out _);
            // Nothing new to run: neither rebuilt now nor built since the replicas started. A build whose tests failed
            // is on disk but never ran, so the next rerun that passes them runs it even with nothing to rebuild.
            if (!prepared.Rebuilt.Contains(service) && rebuilt.Build == launch.Build)
                return null;
            // The rebuilt spec carries the launch's options (kill outside, rerun, the shell's environment) itself.
            launch = rebuilt;
        }
        using var work = await _gate.EnterAsync([service], preempt: false, cancellationToken);
        if (!_table.Services().Contains(service))
            return null;
        definition = ReloadFor(definition);
        _launches.Save([launch]);
        var started = await _rollout.StartAsync(definition, rebuilt: true, _ => Task.CompletedTask, work.Token);
        var summary = $"rerun {_time.GetElapsedTime(began).TotalSeconds:0.00}s after the change{(started.Failure is { } failure ? $", but {failure.Message}" : "")}";
        _log.Rerun(service, summary);
        _events.Write(service, started.Failure is null ? LogStream.Stdout : LogStream.Stderr, [summary]);
        return WatchSetFor(definition, launch);
    }

    /// <summary>The rebuild, its phase shown by ps while it runs.</summary>
    private async Task<PreparedLaunch> RebuildAsync(string service, LaunchOptions options, bool test, CancellationToken cancellationToken)
    {
        try
        {
            return await _rebuilder.RebuildAsync(service, options, test, phase => _phases[service] = phase, cancellationToken);
        }
        finally
        {
            _phases.TryRemove(service, out _);
        }
    }

    /// <summary>Says in the supervisor's log and the service's event log why the rerun replaced nothing.</summary>
    private void Tell(string service, RerunFailure failure)
    {
        var what = failure.FailedIn == RerunPhase.Testing ? "the unit tests failed" : "the build failed";
        _log.RerunStopped(service, what, string.Join(" ", failure.Errors));
        _events.Write(service, LogStream.Stderr, [$"{what}, so the previous build runs on:", .. failure.Errors]);
    }

    /// <summary>
    /// The configuration a rerun applies: read again, so that a change to service.yml (its env, health, args) reaches
    /// the new replicas. A configuration that no longer loads, or a change of what the running fleet is built on (the
    /// port, the proxy), is not applied: the event log says so, and the rerun goes on with the settings in force.
    /// </summary>
    private ServiceDefinition ReloadFor(ServiceDefinition current)
    {
        Workspace reloaded;
        try
        {
            reloaded = _workspace.Peek();
        }
        catch (ConfigurationException e)
        {
            _events.Write(current.Name, LogStream.Stderr, ["the configuration has errors, so the rerun keeps the settings in force:", .. e.Errors.Select(error => error.ToString())]);
            return current;
        }
        if (reloaded.FindService(current.Name) is not { } changed)
            return current;
        if (changed.Port != current.Port || changed.UsesProxy != current.UsesProxy)
        {
            _events.Write(current.Name, LogStream.Stderr, [$"its port or proxy setting changed; that applies at the next 'dotnet orchestra restart {current.Name}', so the rerun keeps the settings in force"]);
            return current;
        }
        _workspace.Use(reloaded);
        return changed;
    }
}
