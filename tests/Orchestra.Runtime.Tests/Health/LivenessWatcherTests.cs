using Microsoft.Extensions.Time.Testing;
using Orchestra.Runtime.Health;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Health;

/// <summary>The liveness policy on a fake clock: each probe comes when the test advances it, none by real waiting.</summary>
public sealed class LivenessWatcherTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly RecordingClock _clock = new(new FakeTimeProvider());
    private readonly ScriptedProbe _probe = new() { Passes = true };
    private readonly List<bool> _changes = [];

    private Task Watch(bool untilFailing, CancellationToken cancellationToken) =>
        // Off the test's synchronisation context, so that the watcher runs as it does in the supervisor.
        Task.Run(() => new LivenessWatcher(_clock).WatchAsync(_probe, Interval, Timeout, untilFailing, healthy =>
        {
            lock (_changes) _changes.Add(healthy);
        }, cancellationToken));

    private List<bool> Changes()
    {
        lock (_changes)
            return [.. _changes];
    }

    private async Task ChecksAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await _probe.NextCheckAsync(_clock.Fake, Interval);
    }

    /// <summary>One pass makes it healthy again; told by a second pass, which changes nothing more.</summary>
    private async Task RecoversAsync()
    {
        _probe.Passes = true;
        await ChecksAsync(2);
        Assert.Equal([false, true], Changes());
    }

    private static async Task EndsWhenCancelledAsync(Task watching, CancellationTokenSource stop)
    {
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching.WithDeadline());
    }

    [Fact]
    public async Task Three_failures_in_a_row_make_it_unhealthy_and_one_pass_healthy_again()
    {
        using var stop = new CancellationTokenSource();
        var watching = Watch(untilFailing: true, stop.Token);

        // Two failures are no outage (one slow answer is not either). A check is asked only once the answer before it
        // was handled, so the third check tells that the first two changed nothing.
        _probe.Passes = false;
        await ChecksAsync(2);
        _probe.Passes = true;
        await ChecksAsync(1);
        Assert.Empty(Changes());

        // The third failure in a row makes it unhealthy; told by a fourth check, whose failure changes nothing more.
        _probe.Passes = false;
        await ChecksAsync(4);
        Assert.Equal([false], Changes());
        await RecoversAsync();
        await EndsWhenCancelledAsync(watching, stop);
    }

    [Fact]
    public async Task A_replica_that_keeps_passing_is_probed_less_and_less_often_and_at_every_interval_once_it_fails()
    {
        using var stop = new CancellationTokenSource();
        var watching = Watch(untilFailing: true, stop.Token);
        for (var i = 0; i < 6; i++)
            await ChecksAsync(1);
        _probe.Passes = false;
        await ChecksAsync(3);

        // The waits before each check, as the watcher asked the clock for them (every other timer is a check's timed
        // attempt): doubling from the interval to the quiet one while the probes pass; the failing probe came after
        // the longest quiet wait, and the two that confirm it at the interval.
        double[] expected = [1, 2, 4, 8, 10, 10, 10, 1, 1];
        Assert.Equal(LivenessWatcher.QuietInterval, TimeSpan.FromSeconds(expected.Max()));
        Assert.Equal(expected, _clock.DueTimes.Where((_, i) => i % 2 == 0).Take(expected.Length).Select(t => t.TotalSeconds));
        // The third failure was answered; the watcher acts on it without the clock moving.
        await Eventually.TrueAsync(() => Changes().Count > 0, "the third failure in a row to be acted upon");
        Assert.Equal([false], Changes());
        await EndsWhenCancelledAsync(watching, stop);
    }

    [Fact]
    public async Task Failing_every_probe_for_the_timeout_ends_the_watch_so_that_the_replica_is_replaced()
    {
        var watching = Watch(untilFailing: true, CancellationToken.None);

        _probe.Passes = false;
        while (!watching.IsCompleted && _clock.GetUtcNow() - _clock.Fake.Start < Timeout * 2)
        {
            var asked = _probe.NextCheckAsync(_clock.Fake, Interval);
            await Task.WhenAny(asked, watching);
        }

        await watching.WithDeadline();
        Assert.Equal([false], Changes());
        Assert.True(_clock.GetUtcNow() - _clock.Fake.Start >= Timeout, "the watch ended before the timeout passed");
    }

    [Fact]
    public async Task Without_until_failing_an_unhealthy_replica_is_watched_past_its_timeout_and_recovers()
    {
        using var stop = new CancellationTokenSource();
        var watching = Watch(untilFailing: false, stop.Token);

        _probe.Passes = false;
        await ChecksAsync(3);
        var failingSince = _clock.GetUtcNow() - 2 * Interval;
        while (_clock.GetUtcNow() - failingSince < Timeout)
            await ChecksAsync(1);
        // One more check: the one at or past the timeout was handled, and the watch went on.
        await ChecksAsync(1);
        Assert.False(watching.IsCompleted);
        Assert.Equal([false], Changes());
        await RecoversAsync();
        await EndsWhenCancelledAsync(watching, stop);
    }
}
