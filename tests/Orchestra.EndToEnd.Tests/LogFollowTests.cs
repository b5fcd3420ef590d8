using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary><c>logs -f</c> through the real CLI against a running fleet: what it shows of the past, and what it picks up later.</summary>
public sealed class LogFollowTests
{
    /// <summary>Says hello as its replica, then prints a tick each time a <c>tick</c> file appears in its folder.</summary>
    private const string Ticker = """
        import os, time
        print("hello from " + os.environ["ORCHESTRA_REPLICA"])
        ticks = 0
        while True:
            try:
                os.remove("tick")
                ticks += 1
                print(f"tick {ticks}")
            except FileNotFoundError:
                time.sleep(0.05)
        """;

    private static async Task<TestFleet> TickerAsync()
    {
        var fleet = new TestFleet();
        fleet.PythonService("ticker", Ticker);
        await fleet.RunOkAsync("start");
        await Eventually.TrueAsync(() => fleet.LogLines("ticker").Contains("hello from 0"), "the first replica's hello");
        return fleet;
    }

    [Fact]
    public async Task Follow_with_no_past_lines_prints_only_lines_written_after_it_started()
    {
        await using var fleet = await TickerAsync();
        await using var follow = fleet.Begin("logs", "-f", "-n", "0", "ticker");

        // A tick whenever the last one was printed, until the follow shows one: it may have begun after the first.
        await Eventually.TrueAsync(() =>
        {
            if (!File.Exists(fleet.PathOf("ticker/tick")))
                fleet.Write("ticker/tick", "");
            return follow.Lines.Count > 0;
        }, "the follow to show a new line");

        Assert.Equal(0, await follow.StopAsync());
        Assert.DoesNotContain("ticker.0 | hello from 0", follow.Lines);
        Assert.All(follow.Lines, line => Assert.StartsWith("ticker.0 | tick ", line));
    }

    [Fact]
    public async Task Follow_shows_a_replica_added_by_scale_and_a_service_event_log_created_after_it_started()
    {
        await using var fleet = await TickerAsync();
        Assert.False(File.Exists(Path.Combine(fleet.StateDirectory, "logs", "ticker.orchestra.log")));
        await using var follow = fleet.Begin("logs", "-f", "ticker");
        await Eventually.TrueAsync(() => follow.Lines.Contains("ticker.0 | hello from 0"), "the follow to show the past");

        await fleet.RunOkAsync("scale", "ticker=2");
        await Eventually.TrueAsync(() => follow.Lines.Any(l => l.StartsWith("ticker.1", StringComparison.Ordinal) && l.EndsWith("| hello from 1", StringComparison.Ordinal)),
            "the follow to show the new replica");

        // Its process ends under it: the supervisor restarts it and writes the service's first event.
        Procs.Signal((await fleet.ReplicaAsync("ticker")).Pid!.Value, Procs.SigKill);
        await Eventually.TrueAsync(() => follow.Lines.Any(l => l.StartsWith("ticker.orchestra ! replica 0: ", StringComparison.Ordinal)),
            "the follow to show the restart event");
        Assert.Equal(0, await follow.StopAsync());
    }

    [Fact]
    public async Task On_a_terminal_control_sequences_in_output_are_shown_escaped_and_piped_they_pass_unchanged()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("esc", "import time\nprint('\\x1b]0;pwned\\x07\\x1b[2Jcleared\\x9b1mtab\\there')\nprint('done')\ntime.sleep(3600)\n");
        await fleet.RunOkAsync("start");
        await Eventually.TrueAsync(() => fleet.LogLines("esc").Contains("done"), "the output to be collected");

        var plain = (await fleet.RunOnTerminalAsync("logs", "--no-color", "esc")).Out;
        Assert.Contains("esc.0 | \\x1b]0;pwned\\x07\\x1b[2Jcleared\\x9b1mtab\there\n", plain);
        Assert.DoesNotContain(plain, c => c != '\n' && c != '\t' && char.IsControl(c));

        var coloured = (await fleet.RunOnTerminalAsync("logs", "esc")).Out;
        Assert.Contains("\\x1b]0;pwned\\x07\\x1b[2Jcleared\\x9b1mtab\there", coloured);
        // What escapes remain are Orchestra's own colour (SGR) sequences.
        Assert.Matches(@"^(?:[^\u001b\u0007\u009b]|\u001b\[[0-9;]*m)*$", coloured);

        var piped = (await fleet.RunAsync("logs", "esc")).Out;
        Assert.Contains("esc.0 | \u001b]0;pwned\u0007\u001b[2Jcleared\u009b1mtab\there\n", piped);
    }
}
