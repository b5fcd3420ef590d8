using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// The logs folder refuses to change (<c>chattr +i</c>, which even root cannot write past) while a replica prints
/// enough to need a rotation. Collection must be retried and reported, resume when the folder is writable again with
/// every line once, and <c>stop</c> must work throughout.
/// </summary>
public sealed class LogFaultTests
{
    private const int Lines = 150_000;

    /// <summary>
    /// Waits for a <c>go</c> file, then prints about 20 MB of numbered lines, more than the 10 MB a log holds before it
    /// rotates, and then makes a <c>printed</c> file. It removes <c>go</c>, so that a process started again only idles.
    /// </summary>
    private static readonly string Burst = $$"""
        import os, sys, time
        print("ready")
        while not os.path.exists("go"):
            time.sleep(0.05)
        os.remove("go")
        pad = "x" * 90
        for i in range({{Lines}}):
            sys.stdout.write(f"line {i:06d} {pad}\n")
        print("burst done")
        open("printed", "w").close()
        while True:
            time.sleep(1)
        """;

    private static async Task<TestFleet> StartedAsync()
    {
        var fleet = new TestFleet();
        fleet.PythonService("burst", Burst);
        await fleet.RunOkAsync("start");
        await Eventually.TrueAsync(() => fleet.LogLines("burst").Contains("ready"), "the replica to be ready");
        return fleet;
    }

    private static Task<string> FaultReportedAsync(TestFleet fleet) =>
        Eventually.ValueAsync(async () => (await fleet.ReplicaAsync("burst")).LogFault, "ps to report the log fault");


    /// <summary>The burst as <c>logs</c> prints it (rotated files included): every line once, in order.</summary>
    private static async Task AssertEveryLineOnceAsync(TestFleet fleet)
    {
        var printed = (await fleet.RunOkAsync("logs", "burst")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l["burst.0 | ".Length..]).ToList();
        Assert.Equal("ready", printed[0]);
        Assert.Equal("burst done", printed[Lines + 1]);
        for (var i = 0; i < Lines; i++)
        {
            if (!printed[i + 1].StartsWith($"line {i:000000} ", StringComparison.Ordinal))
                Assert.Fail($"line {i} is '{printed[i + 1][..Math.Min(printed[i + 1].Length, 40)]}'");
        }
    }

    [Fact]
    public async Task Collection_stopped_by_an_immutable_logs_folder_is_reported_and_resumes_with_every_line_once()
    {
        await using var fleet = await StartedAsync();
        await using (var folder = await ImmutableFolder.LockAsync(Path.Combine(fleet.StateDirectory, "logs")))
        {
            fleet.Write("burst/go", "");
            var fault = await FaultReportedAsync(fleet);
            Assert.Contains("burst.0.log", fault);
            // The supervisor's log is written apart from the fault that ps shows: it may come a moment later.
            await Eventually.TrueAsync(() => fleet.SupervisorLog.Contains("burst.0: cannot collect its output, retrying"), "the supervisor to log the fault");
            await folder.ReleaseAsync();
        }

        await Eventually.TrueAsync(async () => (await fleet.ReplicaAsync("burst")).LogFault is null && fleet.LogLines("burst").Contains("burst done"),
            "collection to resume and catch up");
        await AssertEveryLineOnceAsync(fleet);
        await Eventually.TrueAsync(() => fleet.SupervisorLog.Contains("burst.0: collecting its output works again"), "the supervisor to log the recovery");
        await fleet.RunOkAsync("stop");
    }

    [Fact]
    public async Task Stop_works_while_the_logs_folder_is_immutable_and_the_next_start_collects_what_was_left()
    {
        await using var fleet = await StartedAsync();
        await using (var folder = await ImmutableFolder.LockAsync(Path.Combine(fleet.StateDirectory, "logs")))
        {
            fleet.Write("burst/go", "");
            await FaultReportedAsync(fleet);
            await Eventually.TrueAsync(() => File.Exists(fleet.PathOf("burst/printed")), "the whole burst to be printed");
            await fleet.RunOkAsync("stop");
            await folder.ReleaseAsync();
        }

        await fleet.RunOkAsync("start");
        await Eventually.TrueAsync(() => fleet.LogLines("burst").Contains("burst done"), "the output left behind to be collected");
        await AssertEveryLineOnceAsync(fleet);
        await fleet.RunOkAsync("stop");
    }
}
