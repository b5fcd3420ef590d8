using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 12, point 2: <c>start</c> starts its supervisor before it reads the workspace, so that the supervisor's own
/// start overlaps the command's reading, hooks and evaluation cache; and a start that fails on its way leaves none behind.
/// </summary>
public sealed class EarlySupervisorTests
{
    private static readonly string Idle = PythonIdle.Printing("idle up");

    [Fact]
    public async Task The_supervisor_of_a_start_already_serves_while_its_before_hook_runs()
    {
        await using var fleet = new TestFleet();
        // The hook succeeds only once the supervisor's socket is there; it gives up after 10 s.
        fleet.Write("orchestra.yml", """
            commands:
              start:
                before: ["for i in $(seq 1 200); do [ -S .orchestra/supervisor.sock ] && exit 0; sleep 0.05; done; exit 1"]
            """);
        fleet.PythonService("api", Idle, "health: { log: 'idle up' }\n");

        var start = await fleet.RunAsync("start");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("healthy", Assert.Single(await fleet.PsAsync()).State);
    }

    [Fact]
    public async Task A_start_whose_before_hook_fails_leaves_no_supervisor_it_started()
    {
        await using var fleet = WithBeforeHook("exit 3");

        var start = await fleet.RunAsync("start");

        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.Equal("error: The before hook 'exit 3' failed with exit code 3, so 'start' did not run.", start.Error.Trim());
        Assert.Null(fleet.SupervisorPid);
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    [Fact]
    public async Task A_start_stopped_with_ctrl_c_in_its_before_hook_leaves_no_supervisor_it_started()
    {
        await using var fleet = WithBeforeHook("sleep 60");

        await using var start = fleet.Begin("start");
        // The supervisor serves while the hook sleeps; then Ctrl-C, whose token the clean-up must not be held to.
        await ServingDuringTheHookAsync(fleet);
        try
        {
            Assert.NotEqual(0, await start.StopAsync());
        }
        catch (OperationCanceledException)
        {
            // In-process, the Ctrl-C ends the command with the cancelled hook's exception; what matters is what is left.
        }

        await Eventually.TrueAsync(() => fleet.SupervisorPid is null, "the supervisor the start started to end");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    [Fact]
    public async Task Ctrl_c_to_the_cli_process_in_its_before_hook_ends_it_with_130_and_leaves_nothing_it_started()
    {
        // The hook's shell becomes the sleep (exec), so the pid it writes is the process that must not outlive the command.
        await using var fleet = WithBeforeHook("echo $$ > hook.pid; exec sleep 60");
        using var start = new CliProcess(fleet.Root, "start");
        var hook = await Eventually.ValueAsync(() => File.Exists(fleet.PathOf("hook.pid")) && File.ReadAllText(fleet.PathOf("hook.pid")).Trim() is { Length: > 0 } pid ? pid : null, "the hook to run");
        await ServingDuringTheHookAsync(fleet);

        start.Interrupt();

        Assert.True(await start.ExitCodeAsync() == 130, start.Output);
        Assert.DoesNotContain("Unhandled exception", start.Output);
        await Eventually.TrueAsync(() => fleet.SupervisorPid is null, "the supervisor the start started to end");
        Assert.False(Procs.IsLive(int.Parse(hook)), "the hook outlived the command");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    /// <summary>A workspace of one idle service whose <c>start</c> runs <paramref name="hook"/> first.</summary>
    private static TestFleet WithBeforeHook(string hook)
    {
        var fleet = new TestFleet();
        fleet.Write("orchestra.yml", $"commands: {{ start: {{ before: [\"{hook}\"] }} }}\n");
        fleet.PythonService("api", Idle, "health: { log: 'idle up' }\n");
        return fleet;
    }

    private static Task ServingDuringTheHookAsync(TestFleet fleet) =>
        Eventually.TrueAsync(() => fleet.SupervisorPid is not null && File.Exists(fleet.PathOf(".orchestra/supervisor.sock")), "the supervisor to serve during the hook");
}
