namespace Orchestra.Supervisor;

/// <summary>
/// Gives the supervisor's free heap back to the system once its requests go quiet. The supervisor mostly waits for
/// hours, but a start, a scale or a run of `ps` calls leaves the GC holding regions it committed for them (about
/// 14 MiB of a 20 MiB heap after starting five services, bench/idle.sh), which it keeps committed for the next burst
/// that rarely comes. One aggressive collection a second after the last request returns them; the timer is one-shot,
/// so nothing runs while nothing happens.
/// </summary>
public sealed class IdleMemoryTrim : IDisposable
{
    /// <summary>How long after the last request the heap is trimmed: a burst of requests pays for one collection.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    private readonly ITimer _timer;

    /// <param name="collect">What trims; a full, compacting collection that decommits what it frees unless a test says otherwise.</param>
    public IdleMemoryTrim(TimeProvider time, Action? collect = null)
    {
        collect ??= static () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _timer = time.CreateTimer(_ => collect(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Work happened: the trim comes <see cref="Quiet"/> after the last such call.</summary>
    public void Activity() => _timer.Change(Quiet, Timeout.InfiniteTimeSpan);

    public void Dispose() => _timer.Dispose();
}
