namespace Orchestra.Runtime.Processes;

/// <summary>
/// A process as Orchestra records it: its pid plus its start time (clock ticks since boot, field 22 of
/// <c>/proc/&lt;pid&gt;/stat</c> on Linux). A pid alone can be reused by an unrelated process after a crash;
/// the pair cannot, so nothing is ever signalled on the strength of a pid alone.
/// </summary>
public readonly record struct ProcessIdentity(int Pid, ulong StartTime)
{
    public override string ToString() => $"pid {Pid} (start {StartTime})";
}
