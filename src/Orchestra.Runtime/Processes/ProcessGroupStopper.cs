namespace Orchestra.Runtime.Processes;

/// <summary>How a stop ended.</summary>
public enum StopOutcome
{
    /// <summary>Nothing of the replica was running (or the pid now belongs to someone else): nothing was signalled.</summary>
    NotRunning,
    /// <summary>Every process of the group ended after the stop signal.</summary>
    Graceful,
    /// <summary>The group outlived the stop timeout and was killed with SIGKILL.</summary>
    Killed,
}

/// <summary>
/// Stops a replica's whole process group per SPEC §5: the stop signal, up to the stop timeout for the group
/// to empty, then SIGKILL, then a check that nothing is left. Children the replica spawned die with it.
/// </summary>
public sealed class ProcessGroupStopper(IProcessHost host, TimeProvider time, TimeSpan pollInterval)
{
    /// <summary>
    /// Stops the group led by <paramref name="leader"/>. Throws <see cref="ProcessGroupSurvivedException"/> if something
    /// survives SIGKILL (e.g. stuck in uninterruptible sleep) longer than the kill grace.
    /// </summary>
    public Task<StopOutcome> StopAsync(ProcessIdentity leader, int signal, TimeSpan timeout, CancellationToken cancellationToken) =>
        StopAsync(leader, host.GroupMembers, host.SignalGroup, signal, timeout, cancellationToken);

    /// <summary>
    /// Stops one process that is not a replica (a copy of a service started by hand): the same sequence, but only
    /// that process is signalled, since its group is its terminal's job and not Orchestra's to end.
    /// </summary>
    public Task<StopOutcome> StopProcessAsync(ProcessIdentity process, int signal, TimeSpan timeout, CancellationToken cancellationToken) =>
        StopAsync(process, p => host.IsAlive(p) ? [p] : [], host.Signal, signal, timeout, cancellationToken);

    /// <summary>How long SIGKILLed processes get to disappear (the kernel needs a moment to tear them down).</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    private async Task<StopOutcome> StopAsync(ProcessIdentity target, Func<ProcessIdentity, IReadOnlyList<ProcessIdentity>> alive,
        Action<ProcessIdentity, int> send, int signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (alive(target).Count == 0 && host.CheckExit(target) is not null)
            return StopOutcome.NotRunning;
        send(target, signal);
        if (await WaitEmptyAsync(target, alive, timeout, cancellationToken))
            return StopOutcome.Graceful;

        send(target, StopSignals.Kill);
        if (await WaitEmptyAsync(target, alive, KillGrace, cancellationToken))
            return StopOutcome.Killed;
        var left = alive(target);
        throw new ProcessGroupSurvivedException($"{left.Count} process(es) of {target} survived SIGKILL: {string.Join(", ", left.Select(p => p.Pid))}.");
    }

    private async Task<bool> WaitEmptyAsync(ProcessIdentity target, Func<ProcessIdentity, IReadOnlyList<ProcessIdentity>> alive, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            // Empty only once the target is reaped, when it is our child: a multi-threaded process whose main thread
            // ended first shows as a zombie while its other threads still run, and cannot be reaped yet. Taken for
            // gone then, it was never reaped and stayed a zombie of the supervisor for good.
            if (host.CheckExit(target) is not null && alive(target).Count == 0)
                return true;
            if (time.GetUtcNow() >= deadline)
                return false;
            await Task.Delay(pollInterval, time, cancellationToken);
        }
    }
}

/// <summary>Processes of a replica were still alive after SIGKILL and its grace period.</summary>
public sealed class ProcessGroupSurvivedException(string message) : Exception(message);
