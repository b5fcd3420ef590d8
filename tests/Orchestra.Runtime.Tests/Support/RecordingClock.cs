using Microsoft.Extensions.Time.Testing;

namespace Orchestra.Runtime.Tests.Support;

/// <summary>
/// A fake clock that also keeps the due time of every timer made on it, in order: what a waiter asked to wait for,
/// however far the test's advances happened to move the clock meanwhile.
/// </summary>
public sealed class RecordingClock(FakeTimeProvider clock) : TimeProvider
{
    private readonly List<TimeSpan> _dueTimes = [];

    public FakeTimeProvider Fake => clock;

    /// <summary>The due times of the timers made so far (a <c>Task.Delay</c>, a timed cancellation), in order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_dueTimes)
                return [.. _dueTimes];
        }
    }

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_dueTimes)
            _dueTimes.Add(dueTime);
        return clock.CreateTimer(callback, state, dueTime, period);
    }
}
