namespace Orchestra.Runtime.Health;

/// <summary>
/// The replicas being probed until ready right now, across the supervisor. Fifty replicas starting at once, each probed
/// every 50 ms, made a thousand connects a second while the replicas themselves needed every cycle of the CPU to start;
/// so the fast pause grows with the crowd, keeping all of them together to about <see cref="ProbesPerSecond"/> probes a
/// second (ten replicas or fewer keep the 50 ms). Thread-safe.
/// </summary>
public sealed class StartingCrowd
{
    /// <summary>What all starting replicas' fast probes add up to, at most, once more than ten start at once.</summary>
    public const int ProbesPerSecond = 200;

    private int _count;

    /// <summary>How many replicas are being probed until ready now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts a replica in until the returned handle is disposed.</summary>
    public IDisposable Join()
    {
        Interlocked.Increment(ref _count);
        return new Member(this);
    }

    /// <summary>The pause between a starting replica's probes with the crowd as it is now: <paramref name="fast"/>, or longer in a crowd.</summary>
    public TimeSpan Pause(TimeSpan fast)
    {
        var shared = TimeSpan.FromSeconds((double)Count / ProbesPerSecond);
        return shared > fast ? shared : fast;
    }

    private sealed class Member(StartingCrowd crowd) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
                Interlocked.Decrement(ref crowd._count);
        }
    }
}
