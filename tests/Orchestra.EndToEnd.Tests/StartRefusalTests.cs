using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// A configuration that cannot run is refused by <c>start</c> before anything starts: one located sentence and exit 2,
/// where it used to fail late with "The supervisor went away during 'start'".
/// </summary>
public sealed class StartRefusalTests
{
    private static readonly string Idle = PythonIdle.Printing("idle up");

    [Theory]
    [InlineData("env: { A: '${B}', B: '${A}' }\n", "", "orchestra.yml:1:8: the variables refer to each other in a cycle: A -> B -> A.")]
    [InlineData("env_file: .env\n", "", ".env:2:1: expected NAME=VALUE, got 'not an assignment'.")]
    [InlineData("name: e2e\n", "health: { log: 'idle up', interval: 0s }\n", "api/service.yml:2:37: interval must be from 100ms to 1h, got '0s'.")]
    public async Task Start_refuses_a_configuration_it_cannot_run_before_any_process_starts(string orchestraYaml, string serviceYaml, string error)
    {
        await using var fleet = new TestFleet();
        fleet.Write("orchestra.yml", orchestraYaml);
        fleet.Write(".env", "GOOD=1\nnot an assignment\n");
        fleet.PythonService("api", Idle, serviceYaml);

        var start = await fleet.RunAsync("start");

        Assert.True(start.ExitCode == 2, start.ToString());
        Assert.Equal($"error: {fleet.Root}/{error}", start.Error.Trim());
        Assert.Null(fleet.SupervisorPid);
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }
}
