using Orchestra.Configuration;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Restarts;

namespace Orchestra.Runtime.Tests.Restarts;

public sealed class RestartTrackerTests
{
    private static readonly ExitStatus Failed = new(1, null);
    private static readonly ExitStatus Clean = new(0, null);
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);

    [Fact]
    public void Backoff_doubles_from_one_second_to_thirty_and_ends_crashed_after_ten_failures_in_a_row()
    {
        var tracker = new RestartTracker(RestartPolicy.OnFailure, RestartBackoff.Standard);

        var decisions = Enumerable.Range(0, 10).Select(_ => tracker.OnExit(Failed, Short)).ToList();

        var delays = decisions.Take(9).Select(d => Assert.IsType<RestartDecision.Restart>(d).Delay.TotalSeconds);
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30, 30], delays);
        Assert.IsType<RestartDecision.Crashed>(decisions[^1]);
    }

    [Fact]
    public void A_minute_of_uptime_resets_the_backoff_and_the_failure_count()
    {
        var tracker = new RestartTracker(RestartPolicy.OnFailure, RestartBackoff.Standard);
        for (var i = 0; i < 9; i++)
            tracker.OnExit(Failed, Short);

        var afterLongRun = tracker.OnExit(Failed, TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<RestartDecision.Restart>(afterLongRun).Delay);
        Assert.Equal(1, tracker.FailuresInARow);
    }

    [Fact]
    public void A_backoff_started_at_50ms_runs_the_same_policy_on_that_scale()
    {
        var fast = RestartBackoff.Standard.StartingAt(TimeSpan.FromMilliseconds(50));
        var tracker = new RestartTracker(RestartPolicy.OnFailure, fast);

        var decisions = Enumerable.Range(0, 10).Select(_ => tracker.OnExit(Failed, TimeSpan.FromMilliseconds(100))).ToList();

        var delays = decisions.Take(9).Select(d => Assert.IsType<RestartDecision.Restart>(d).Delay.TotalMilliseconds);
        Assert.Equal([50, 100, 200, 400, 800, 1500, 1500, 1500, 1500], delays);
        Assert.IsType<RestartDecision.Crashed>(decisions[^1]);
        Assert.Equal(TimeSpan.FromSeconds(3), fast.ResetAfter);
    }

    [Fact]
    public void The_policy_decides_whether_an_exit_is_restarted()
    {
        Assert.IsType<RestartDecision.Stay>(new RestartTracker(RestartPolicy.OnFailure, RestartBackoff.Standard).OnExit(Clean, Short));
        Assert.IsType<RestartDecision.Stay>(new RestartTracker(RestartPolicy.No, RestartBackoff.Standard).OnExit(Failed, Short));
        Assert.IsType<RestartDecision.Restart>(new RestartTracker(RestartPolicy.Always, RestartBackoff.Standard).OnExit(Clean, Short));
        Assert.IsType<RestartDecision.Restart>(new RestartTracker(RestartPolicy.OnFailure, RestartBackoff.Standard).OnExit(ExitStatus.Unknown, Short));
    }

    [Fact]
    public void A_clean_exit_breaks_a_run_of_failures()
    {
        var tracker = new RestartTracker(RestartPolicy.Always, RestartBackoff.Standard);
        for (var i = 0; i < 9; i++)
            tracker.OnExit(Failed, Short);
        tracker.OnExit(Clean, Short);
        Assert.IsType<RestartDecision.Restart>(tracker.OnExit(Failed, Short));
        Assert.Equal(1, tracker.FailuresInARow);
    }
}
