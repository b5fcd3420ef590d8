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
    public async Task<StopOutcome> StopAsync(ProcessIdentity leader, int signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (host.GroupMembers(leader).Count == 0)
            return StopOutcome.NotRunning;
        host.SignalGroup(leader, signal);
        if (await WaitEmptyAsync(leader, timeout, cancellationToken))
            return StopOutcome.Graceful;

        host.SignalGroup(leader, StopSignals.Kill);
        if (await WaitEmptyAsync(leader, KillGrace, cancellationToken))
            return StopOutcome.Killed;
        var left = host.GroupMembers(leader);
        throw new ProcessGroupSurvivedException($"{left.Count} process(es) of {leader} survived SIGKILL: {string.Join(", ", left.Select(p => p.Pid))}.");
    }

    /// <summary>How long SIGKILLed processes get to disappear (the kernel needs a moment to tear them down).</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    private async Task<bool> WaitEmptyAsync(ProcessIdentity leader, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            // Reap the leader if it is our child, or it would linger as a zombie until the supervisor's next poll.
            host.CheckExit(leader);
            if (host.GroupMembers(leader).Count == 0)
                return true;
            if (time.GetUtcNow() >= deadline)
                return false;
            await Task.Delay(pollInterval, time, cancellationToken);
        }
    }
}

/// <summary>Processes of a replica were still alive after SIGKILL and its grace period.</summary>
public sealed class ProcessGroupSurvivedException(string message) : Exception(message);
