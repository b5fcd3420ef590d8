using System.Globalization;
using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 4, acceptance 3: a service that exits after 1 s is restarted with growing delays and ends <c>crashed</c>,
/// and ps shows its last lines. This runs the real backoff (1, 2, 4, 8, 16, then 30 s; crashed after 10 failures),
/// about 2 min 45 s, while the other tests run alongside: the supervisor offers no seam to shorten it from outside.
/// </summary>
public sealed class CrashLoopTests
{
    /// <summary>Prints its own start and end times, so the delays are measured by the process itself rather than by the collector.</summary>
    private const string Failing = """
        import sys, time
        print(f"started at {time.time():.3f}")
        time.sleep(1)
        print("dying soon")
        print(f"exiting at {time.time():.3f}")
        sys.exit(3)
        """;

    [Fact]
    public async Task A_service_that_keeps_exiting_is_restarted_with_growing_delays_then_crashed()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("failing", Failing);
        await fleet.RunOkAsync("start");

        var crashed = await Eventually.ValueAsync(
            async () => await fleet.ReplicaAsync("failing") is { State: "crashed" } r ? r : null,
            "the failing service to be crashed", TimeSpan.FromMinutes(5));
        Assert.Null(crashed.Pid);
        // Ten failures in a row: the first run and nine restarts.
        Assert.Equal(9, crashed.Restarts);
        Assert.Contains("dying soon", crashed.LastLines);
        Assert.Contains(crashed.LastLines, l => l.StartsWith("exiting at ", StringComparison.Ordinal));

        // The delay before each restart, from the end of one run to the start of the next.
        var lines = fleet.LogLines("failing");
        var starts = Times(lines, "started at ");
        var exits = Times(lines, "exiting at ");
        Assert.Equal(10, starts.Count);
        Assert.Equal(10, exits.Count);
        var delays = Enumerable.Range(0, 9).Select(i => starts[i + 1] - exits[i]).ToList();
        var shown = string.Join(", ", delays.Select(d => d.ToString("0.00", CultureInfo.InvariantCulture)));
        // 1, 2, 4, 8, 16, 30: each longer than the one before; then it stays at the cap, never back down.
        for (var i = 1; i <= 5; i++)
            Assert.True(delays[i] > delays[i - 1], $"delay {i + 1} is not longer than delay {i}: {shown}");
        Assert.All(delays.Skip(6), d => Assert.True(d > delays[4], $"a delay after the cap fell back: {shown}"));

        // ps, as a person reads it: the replica is crashed, and its last lines are shown.
        var table = await fleet.RunOkAsync("ps");
        Assert.Matches(@"failing\s+0\s+-\s+crashed", table.Out);
        Assert.Contains("failing.0 crashed; its last lines:", table.Out);
        Assert.Matches(new Regex(@"^\s+dying soon$", RegexOptions.Multiline), table.Out);
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));

        // logs tells why, among the service's own lines: each restart with its delay, then the crash.
        var logs = (await fleet.RunOkAsync("logs", "failing")).Out;
        Assert.Equal(9, Regex.Matches(logs, @"(?m)^failing\.orchestra ! replica 0: exit code 3; restarting in \d+s$").Count);
        Assert.Matches(@"(?m)^failing\.orchestra ! replica 0: exit code 3; restarting in 1s$", logs);
        Assert.Matches(@"(?m)^failing\.orchestra ! replica 0: exit code 3; restarting in 30s$", logs);
        Assert.Matches(@"(?m)^failing\.orchestra ! replica 0: exit code 3; crashed, left alone after failing too often in a row$", logs);
    }

    private static List<double> Times(IReadOnlyList<string> lines, string prefix) =>
        lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => double.Parse(l[prefix.Length..], CultureInfo.InvariantCulture))
            .ToList();
}
