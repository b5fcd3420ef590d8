using Microsoft.Extensions.Time.Testing;
using Orchestra.Runtime.Health;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Health;

public sealed class HealthWaiterTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task A_starting_replica_is_probed_every_50_ms_for_the_first_seconds_then_backs_off_to_the_interval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var probe = new ScriptedProbe();
        var began = clock.GetUtcNow();
        var waiting = new HealthWaiter(clock).WaitAsync(probe, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), CancellationToken.None);

        // Each check is answered "not yet"; when it was asked says the cadence (the clock moves in 10 ms steps).
        var asked = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            await probe.NextCheckAsync(clock, Step);
            asked.Add(clock.GetUtcNow() - began);
        }
        // A step may pass before the waiter waits on the clock again, so a pause can read one step long.
        Assert.All(Pauses(asked), p => Assert.InRange(p, HealthWaiter.FastPause, HealthWaiter.FastPause + Step));

        // Past the first seconds, the pause doubles up to the interval, and stays there.
        clock.Advance(HealthWaiter.FastPhase);
        await probe.NextCheckAsync(clock, Step);
        var lateStep = TimeSpan.FromMilliseconds(100);
        var late = new List<TimeSpan> { clock.GetUtcNow() - began };
        for (var i = 0; i < 6; i++)
        {
            await probe.NextCheckAsync(clock, lateStep);
            late.Add(clock.GetUtcNow() - began);
        }
        Assert.Collection(Pauses(late), [.. new[] { 100, 200, 400, 800, 1000, 1000 }.Select(ms => (Action<TimeSpan>)(p =>
            Assert.InRange(p, TimeSpan.FromMilliseconds(ms), TimeSpan.FromMilliseconds(ms) + lateStep)))]);

        probe.Passes = true;
        await probe.NextCheckAsync(clock, Step);
        Assert.True(await waiting.WithDeadline());
    }

    [Fact]
    public async Task An_interval_shorter_than_the_fast_pause_is_kept()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var probe = new ScriptedProbe();
        var began = clock.GetUtcNow();
        var waiting = new HealthWaiter(clock).WaitAsync(probe, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30), CancellationToken.None);

        var asked = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            await probe.NextCheckAsync(clock, Step);
            asked.Add(clock.GetUtcNow() - began);
        }
        Assert.All(Pauses(asked), p => Assert.InRange(p, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20) + Step));

        probe.Passes = true;
        await probe.NextCheckAsync(clock, Step);
        Assert.True(await waiting.WithDeadline());
    }

    private static IEnumerable<TimeSpan> Pauses(IReadOnlyList<TimeSpan> asked) => asked.Zip(asked.Skip(1), (a, b) => b - a);
}
