using Orchestra.Runtime.Restarts;
using Orchestra.Supervisor;

namespace Orchestra.Tests.Supervisor;

public sealed class TestSettingsTests
{
    [Fact]
    public void Without_the_variable_the_supervisor_runs_the_standard_backoff()
    {
        Assert.Equal(RestartBackoff.Standard, TestSettings.RuntimeOptions(_ => null).Backoff);
    }

    [Fact]
    public void The_variable_sets_the_first_delay_and_scales_the_rest()
    {
        var backoff = TestSettings.RuntimeOptions(name => name == TestSettings.Backoff ? "50ms" : null).Backoff;

        Assert.Equal(RestartBackoff.Standard.StartingAt(TimeSpan.FromMilliseconds(50)), backoff);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), backoff.Maximum);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("0ms")]
    public void A_value_that_is_no_positive_duration_is_refused_rather_than_ignored(string value)
    {
        var refused = Assert.Throws<ArgumentException>(() => TestSettings.RuntimeOptions(_ => value));
        Assert.Contains(TestSettings.Backoff, refused.Message);
    }
}
