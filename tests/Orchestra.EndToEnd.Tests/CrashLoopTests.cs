using System.Globalization;
using System.Text.RegularExpressions;
using Orchestra.Configuration;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 4, acceptance 3: a service that keeps exiting is restarted with growing delays and ends <c>crashed</c>,
/// and ps shows its last lines. The supervisors of these tests run the standard policy on a 50 ms scale
/// (<see cref="TestFleet"/> sets the hidden <c>ORCHESTRA_TEST_BACKOFF</c>): 50, 100, 200, 400, 800 ms, then the
/// cap of 1.5 s, crashed after 10 failures, so the whole loop takes seconds rather than 2 min 45 s.
/// </summary>
[StartsEarly]
public sealed class CrashLoopTests
{
    /// <summary>Prints its own start and end times, so the delays are measured by the process itself rather than by the collector.</summary>
    private const string Failing = """
        import sys, time
        print(f"started at {time.time():.3f}")
        time.sleep(0.5)
        print("dying soon")
        print(f"exiting at {time.time():.3f}")
        sys.exit(3)
        """;

    private static readonly Regex Restarting = new(@"(?m)^failing\.orchestra ! replica 0: exit code 3; restarting in (\d+m?s)$");

    [Fact]
    public async Task A_service_that_keeps_exiting_is_restarted_with_growing_delays_then_crashed()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("failing", Failing);
        await fleet.RunOkAsync("start");

        var crashed = await Eventually.ValueAsync(
            async () => await fleet.ReplicaAsync("failing") is { State: "crashed" } r ? r : null,
            "the failing service to be crashed");
        Assert.Null(crashed.Pid);
        // Ten failures in a row: the first run and nine restarts.
        Assert.Equal(9, crashed.Restarts);
        Assert.Contains("dying soon", crashed.LastLines);
        Assert.Contains(crashed.LastLines, l => l.StartsWith("exiting at ", StringComparison.Ordinal));

        // logs tells why, among the service's own lines: each restart with its delay, then the crash. Each delay is
        // longer than the one before until the cap, then it stays at the cap, never back down.
        var logs = (await fleet.RunOkAsync("logs", "failing")).Out;
        var announced = Restarting.Matches(logs).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["50ms", "100ms", "200ms", "400ms", "800ms", "1500ms", "1500ms", "1500ms", "1500ms"], announced);
        Assert.Matches(@"(?m)^failing\.orchestra ! replica 0: exit code 3; crashed, left alone after failing too often in a row$", logs);

        // And the delays really passed: from the end of one run to the start of the next, each at least as announced.
        var lines = fleet.LogLines("failing");
        var starts = Times(lines, "started at ");
        var exits = Times(lines, "exiting at ");
        Assert.Equal(10, starts.Count);
        Assert.Equal(10, exits.Count);
        var delays = Enumerable.Range(0, 9).Select(i => starts[i + 1] - exits[i]).ToList();
        var shown = string.Join(", ", delays.Select(d => d.ToString("0.000", CultureInfo.InvariantCulture)));
        for (var i = 0; i < 9; i++)
        {
            Assert.True(DurationParser.TryParse(announced[i], out var delay));
            Assert.True(delays[i] >= delay.TotalSeconds, $"restart {i + 1} came before its announced {announced[i]}: {shown}");
        }

        // ps, as a person reads it: the replica is crashed, and its last lines are shown.
        var table = await fleet.RunOkAsync("ps");
        Assert.Matches(@"failing\s+0\s+-\s+crashed", table.Out);
        Assert.Contains("failing.0 crashed; its last lines:", table.Out);
        Assert.Matches(new Regex(@"^\s+dying soon$", RegexOptions.Multiline), table.Out);
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    private static List<double> Times(IReadOnlyList<string> lines, string prefix) =>
        lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => double.Parse(l[prefix.Length..], CultureInfo.InvariantCulture))
            .ToList();
}
