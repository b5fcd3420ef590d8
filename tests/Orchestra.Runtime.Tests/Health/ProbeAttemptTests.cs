using Microsoft.Extensions.Time.Testing;
using Orchestra.Runtime.Health;

namespace Orchestra.Runtime.Tests.Health;

/// <summary>How long one attempt of a probe may take, on a fake clock moved past the probe's answer in one step.</summary>
public sealed class ProbeAttemptTests
{
    private readonly FakeTimeProvider _clock = new();

    /// <summary>Answers true after <paramref name="answerAfter"/> on the clock, as a <c>docker exec</c> answers after its round trips.</summary>
    private sealed class SlowProbe(TimeProvider clock, TimeSpan answerAfter) : IHealthProbe
    {
        public bool WatchesLiveness => true;

        public async Task<bool> CheckAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(answerAfter, clock, cancellationToken);
            return true;
        }
    }

    private async Task<bool> AttemptAsync(TimeSpan interval, TimeSpan answerAfter)
    {
        var attempt = ProbeAttempt.RunAsync(new SlowProbe(_clock, answerAfter), ProbeAttempt.Limit(interval), _clock, CancellationToken.None);
        // Both timers, the attempt's limit and the probe's answer, exist before the clock moves; the earlier one wins.
        _clock.Advance(answerAfter);
        return await attempt.WithDeadline();
    }

    [Theory]
    [InlineData(200, 600)]
    [InlineData(50, 950)]
    [InlineData(2000, 1900)]
    public async Task An_answer_slower_than_a_short_interval_but_within_the_limit_passes(int intervalMs, int answerMs) =>
        Assert.True(await AttemptAsync(TimeSpan.FromMilliseconds(intervalMs), TimeSpan.FromMilliseconds(answerMs)));

    [Theory]
    [InlineData(200, 1100)]
    [InlineData(2000, 2100)]
    public async Task An_answer_later_than_the_limit_fails_so_that_a_hung_replica_is_still_found(int intervalMs, int answerMs) =>
        Assert.False(await AttemptAsync(TimeSpan.FromMilliseconds(intervalMs), TimeSpan.FromMilliseconds(answerMs)));
}
