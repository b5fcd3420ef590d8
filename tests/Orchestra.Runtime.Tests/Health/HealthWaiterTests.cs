using Microsoft.Extensions.Time.Testing;
using Orchestra.Runtime.Health;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Health;

/// <summary>
/// The cadence of a starting replica's probes, read from the pauses the waiter asks the clock for (each check makes a
/// timed attempt, then a failed one a pause), not from how far the test's advances happened to move the clock.
/// </summary>
public sealed class HealthWaiterTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>The pauses between checks: every second timer, after each check's timed attempt.</summary>
    private static IReadOnlyList<TimeSpan> Pauses(RecordingClock clock) => clock.DueTimes.Where((_, i) => i % 2 == 1).ToList();

    [Fact]
    public async Task A_starting_replica_is_probed_every_50_ms_for_the_first_seconds_then_backs_off_to_the_interval()
    {
        var clock = new RecordingClock(new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var probe = new ScriptedProbe();
        var waiting = new HealthWaiter(clock, new StartingCrowd()).WaitAsync(probe, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), CancellationToken.None);

        // Twenty checks answered "not yet" within the first seconds; then past them, seven more; then a pass.
        for (var i = 0; i < 20; i++)
            await probe.NextCheckAsync(clock.Fake, HealthWaiter.FastPause);
        clock.Fake.Advance(HealthWaiter.FastPhase);
        for (var i = 0; i < 7; i++)
            await probe.NextCheckAsync(clock.Fake, Ms(100));
        probe.Passes = true;
        await probe.NextCheckAsync(clock.Fake, Step);

        Assert.True(await waiting.WithDeadline());
        // Every 50 ms while the replica is new; past that, the pause doubles up to the interval and stays there.
        Assert.Equal([.. Enumerable.Repeat(Ms(50), 20), Ms(100), Ms(200), Ms(400), Ms(800), Ms(1000), Ms(1000), Ms(1000)], Pauses(clock));
    }

    [Fact]
    public async Task An_interval_shorter_than_the_fast_pause_is_kept()
    {
        var clock = new RecordingClock(new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var probe = new ScriptedProbe();
        var waiting = new HealthWaiter(clock, new StartingCrowd()).WaitAsync(probe, Ms(20), TimeSpan.FromSeconds(30), CancellationToken.None);

        for (var i = 0; i < 10; i++)
            await probe.NextCheckAsync(clock.Fake, Step);
        probe.Passes = true;
        await probe.NextCheckAsync(clock.Fake, Step);

        Assert.True(await waiting.WithDeadline());
        Assert.Equal(Enumerable.Repeat(Ms(20), 10), Pauses(clock));
    }

    [Fact]
    public async Task Fifty_replicas_starting_at_once_share_one_probe_budget_and_the_fast_pause_comes_back_as_they_get_ready()
    {
        var clock = new RecordingClock(new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var crowd = new StartingCrowd();
        // Forty-nine others being probed until ready: with this one, fifty.
        var others = Enumerable.Range(0, 49).Select(_ => crowd.Join()).ToList();
        var probe = new ScriptedProbe();
        var waiting = new HealthWaiter(clock, crowd).WaitAsync(probe, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), CancellationToken.None);

        for (var i = 0; i < 3; i++)
            await probe.NextCheckAsync(clock.Fake, Ms(250));
        // Forty of them get ready: ten are left, which keep the 50 ms.
        foreach (var other in others.Take(40))
            other.Dispose();
        for (var i = 0; i < 3; i++)
            await probe.NextCheckAsync(clock.Fake, HealthWaiter.FastPause);
        probe.Passes = true;
        await probe.NextCheckAsync(clock.Fake, Step);

        Assert.True(await waiting.WithDeadline());
        // 50 replicas at 200 probes a second together: each every 250 ms, instead of a thousand connects a second.
        Assert.Equal([Ms(250), Ms(250), Ms(250), Ms(50), Ms(50), Ms(50)], Pauses(clock));
        // A replica that is ready leaves the crowd.
        Assert.Equal(9, crowd.Count);
    }
}
