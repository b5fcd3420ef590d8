using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests.Vendors;

/// <summary>
/// Issue 11's acceptance: <c>test --acceptance</c> against the sample fleet passes, and the fleet it started is gone
/// afterwards. The sample's acceptance project finds storefront and catalog through IConfiguration.
/// </summary>
[StartsEarly]
public sealed class SampleAcceptanceTests : IAsyncLifetime
{
    private readonly TestFleet _fleet = new("sample-acceptance");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fleet.DisposeAsync().AsTask();

    [Fact]
    public async Task The_samples_acceptance_tests_pass_against_the_fleet_they_start_which_is_stopped_after()
    {
        await BuiltSamples.CopyWithFreePortsAsync(_fleet, "sample-acceptance");
        BuiltSamples.CopyAcceptanceInto(_fleet);
        // The acceptance project needs real packages, from the feed the machine restores from.
        _fleet.Write("NuGet.config", TestProjectFiles.PublicFeed);

        var run = await _fleet.RunAsync("test", "--acceptance");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"acceptance\s+Shop\.Acceptance\s+2\s+0\s+0\s", run.Out);
        Assert.Empty(Procs.LiveInWorkspace(_fleet.Root));
        Assert.Null(_fleet.SupervisorPid);
    }
}
