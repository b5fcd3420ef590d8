using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>Issue 4, acceptance 1: start, ps, logs, restart one service, stop; nothing is left in /proc.</summary>
public sealed class LifecycleTests(MinimalApi api) : IClassFixture<MinimalApi>
{
    private const string Ticker = """
        import time
        print("ticker ready")
        n = 0
        while True:
            print(f"tick {n}")
            n += 1
            time.sleep(0.1)
        """;

    [Fact]
    public async Task Start_ps_logs_restart_and_stop_a_real_api_and_a_command_service()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        fleet.PythonService("ticker", Ticker, "health: { log: \"ticker ready\" }\n");

        var start = await fleet.RunOkAsync("start", "--no-build");
        // The port is the proxy's; the replica listens on one of its own behind it.
        Assert.Matches(@"api\s+\d+\s+" + port + @"→\d+\s+healthy", start.Out);
        Assert.Matches(@"ticker\s+\d+\s+-\s+healthy", start.Out);

        var replicas = await fleet.PsAsync();
        Assert.Equal(["api", "ticker"], replicas.Select(r => r.Service));
        Assert.All(replicas, r => Assert.Equal("healthy", r.State));
        Assert.All(replicas, r => Assert.True(r.Pid is { } pid && Procs.IsLive(pid), $"{r.Service} has no live pid: {r}"));
        var apiPid = replicas[0].Pid!.Value;
        var tickerPid = replicas[1].Pid!.Value;
        var supervisor = fleet.SupervisorPid ?? throw new InvalidOperationException("no supervisor pid was recorded");
        Assert.True(Procs.IsLive(supervisor));

        // The API answers on its port, and it is the replica ps names that answers.
        using var http = new HttpClient();
        var hello = await http.GetStringAsync($"http://127.0.0.1:{port}/hello?from=lifecycle");
        Assert.Equal($"hello from api pid {apiPid}", hello);

        var table = await fleet.RunOkAsync("ps");
        Assert.Matches(@"api\s+0\s+" + apiPid + @"\s+healthy\s+" + port + @"→\d+", table.Out);
        Assert.Matches(@"ticker\s+0\s+" + tickerPid + @"\s+healthy", table.Out);

        // Output is collected in the background: wait until the request's line has arrived, then check the merge.
        var logs = await Eventually.ValueAsync(async () =>
        {
            var result = await fleet.RunOkAsync("logs");
            return result.Out.Contains("hello served to lifecycle by api", StringComparison.Ordinal) ? result : null;
        }, "the API's line in logs");
        Assert.Matches(new Regex(@"^api\.0\s+\| hello served to lifecycle by api$", RegexOptions.Multiline), logs.Out);
        Assert.Matches(new Regex(@"^ticker\.0 \| tick \d+$", RegexOptions.Multiline), logs.Out);
        var tail = await fleet.RunOkAsync("logs", "ticker", "--tail", "3");
        Assert.Equal(3, tail.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("api.0", tail.Out);

        var restart = await fleet.RunOkAsync("restart", "ticker");
        Assert.Matches(@"ticker\s+\d+\s+-\s+healthy", restart.Out);
        var after = await fleet.PsAsync();
        var newTicker = after.Single(r => r.Service == "ticker");
        Assert.Equal("healthy", newTicker.State);
        Assert.NotEqual(tickerPid, newTicker.Pid);
        Assert.False(Procs.IsLive(tickerPid), "the replaced ticker still runs");
        Assert.True(Procs.IsLive(newTicker.Pid!.Value));
        Assert.Equal(apiPid, after.Single(r => r.Service == "api").Pid);
        Assert.True(Procs.IsLive(apiPid), "restarting the ticker touched the api");
        Assert.Equal(2, fleet.LogLines("ticker").Count(l => l == "ticker ready"));

        await fleet.RunOkAsync("stop");
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to end after stop");
        Assert.False(Procs.IsLive(apiPid), "the api survived stop");
        Assert.False(Procs.IsLive(newTicker.Pid.Value), "the ticker survived stop");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{port}/health"));

        // Nothing runs now, and the logs are still there to read.
        Assert.Contains("Nothing runs in this workspace.", (await fleet.RunOkAsync("ps")).Out);
        Assert.Contains("hello served to lifecycle by api", (await fleet.RunOkAsync("logs", "api")).Out);
    }
}
