using Orchestra.Runtime.Health;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Restarts;

namespace Orchestra.Runtime.Replicas;

/// <summary>The clock, polling and policy numbers of the runner. Tests inject short delays here; nothing else changes.</summary>
public sealed record RuntimeOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>How often a stopping group is checked for emptiness, and a replica's process for an exit where the OS cannot tell (no pidfd).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(15);
    public RestartBackoff Backoff { get; init; } = RestartBackoff.Standard;
    public LogCollectorOptions Logs { get; init; } = new();
    /// <summary>The replicas probed until ready now, shared by every runner made with these options: their probes share one budget.</summary>
    public StartingCrowd Crowd { get; init; } = new();
}
