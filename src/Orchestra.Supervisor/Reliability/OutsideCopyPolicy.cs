using System.Runtime.Versioning;
using Orchestra.Discovery;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Supervisor.Control;
using Orchestra.Supervisor.Fleet;
using Orchestra.Launching;

namespace Orchestra.Supervisor.Reliability;

/// <summary>
/// What to do about copies of a service running outside Orchestra before it starts: stop them (naming each), or refuse
/// (<c>--no-kill-outside</c>); and refuse when a stranger holds its port.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class OutsideCopyPolicy(IProcessHost host, RuntimeOptions options, ReplicaTable table)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>Null when the service may start; else why not, in one sentence. The launch's options say whether copies are stopped.</summary>
    public async Task<string?> ClearAsync(ServiceDefinition service, LaunchSpec launch, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        // One /proc scan for all running replicas, up front: one per replica made the k-th service of a start scan
        // /proc k times before its own scan (quadratic in the services), and asking for every pid the finder looks at
        // rescanned it once per pid and replica. The supervisor itself listens on the public ports of the services
        // behind the proxy.
        var leaders = table.Processes().ToList();
        var ours = host.GroupMembers(leaders).Select(m => m.Pid)
            .Concat(leaders.Select(p => p.Pid))
            .Append(Environment.ProcessId)
            .ToHashSet();
        var outside = OutsideCopyFinder.Find(service.Directory, launch.BuiltFiles, service.Port, ours.Contains);
        if (outside.FirstOrDefault(p => !p.IsCopy) is { } foreign)
            return $"Port {service.Port} of service '{service.Name}' is held by {foreign}, which is not a copy of '{service.Name}'; stop it or give the service another port.";
        foreach (var copy in outside)
        {
            if (!launch.Options.KillOutside)
                return $"'{service.Name}' already runs outside orchestra: {copy}; stop it, or start without --no-kill-outside.";
            try
            {
                if (host.Identify(copy.Pid) is { } process)
                    await new ProcessGroupStopper(host, options.Time, options.PollInterval).StopProcessAsync(process, StopSignals.Term, Grace, cancellationToken);
            }
            catch (ProcessGroupSurvivedException)
            {
                return $"'{service.Name}' runs outside orchestra as {copy}, which survived SIGKILL.";
            }
            await progress(new ControlEvent { Service = service.Name, Message = $"stopped {service.Name} running outside orchestra: {copy}" });
        }
        return null;
    }
}
