namespace Orchestra.Runtime.Health;

/// <summary>One readiness check of a replica (SPEC §5). A probe answers false rather than throwing when the replica is not ready.</summary>
public interface IHealthProbe
{
    Task<bool> CheckAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether asking again after the first pass still tells something: http and tcp do, so a ready replica stays
    /// watched; a log line once seen stays seen, and "no probe" always passes.
    /// </summary>
    bool WatchesLiveness { get; }
}
