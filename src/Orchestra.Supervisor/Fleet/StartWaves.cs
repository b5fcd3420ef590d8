using System.Runtime.Versioning;
using Orchestra.Discovery;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Rerun;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// What a start does, in order: the vendors it names, each waited for until healthy; then its services in
/// <c>depends_on</c> waves, each wave at once, each service watched for changes once it runs. The first failure ends
/// it, naming what was not started.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class StartWaves(LoadedWorkspace workspace, LaunchStore launches, ServiceRollout rollout, RerunCoordinator reruns, VendorRollout vendors)
{
    /// <summary>Starts the request's vendors and services on the workspace as last loaded.</summary>
    public async Task<ControlEvent> StartAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        if (request.Vendors.Count > 0 && await VendorsAsync(request, progress, cancellationToken) is { Failure: not null } vendorFailure)
            return vendorFailure;
        launches.Save(request.Launch);
        foreach (var (service, count) in request.Scales)
            rollout.SetScale(service, count);
        var services = request.Services.Select(n => workspace.Current.FindService(n)).OfType<ServiceDefinition>().ToList();
        var started = new List<ReplicaStatus>();
        foreach (var wave in DependencyOrder.Waves(services))
        {
            // Each on a thread of its own: a service's start runs synchronously up to its first wait (the scan for
            // outside copies, the proxy, the spawns), which made a wave of five spawn one after another, 0.3 s apart.
            var outcomes = await Task.WhenAll(wave.Select(s => Task.Run(() => rollout.StartAsync(s, request.Rebuilt.Contains(s.Name), progress, cancellationToken), cancellationToken)));
            started.AddRange(outcomes.SelectMany(o => o.Replicas));
            foreach (var service in wave)
                await reruns.WatchAsync(service);
            if (outcomes.FirstOrDefault(o => o.Failure is not null)?.Failure is { } failure)
            {
                var waiting = services.Except(wave).Where(s => !started.Any(r => r.Service == s.Name)).Select(s => s.Name).ToList();
                var notStarted = waiting.Count > 0 ? $" Not started: {string.Join(", ", waiting)}." : "";
                return new ControlEvent { Failure = failure with { Message = failure.Message + notStarted }, Replicas = started };
            }
        }
        return new ControlEvent { Replicas = started };
    }

    /// <summary>Brings up the request's vendors (all when it names none), on the configuration as it is on disk now.</summary>
    public async Task<ControlEvent> VendorsAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        workspace.Reload();
        var up = await vendors.UpAsync(request.Vendors, request.DockerHost, progress, cancellationToken);
        return new ControlEvent { Replicas = up.Replicas, Failure = up.Failure };
    }
}
