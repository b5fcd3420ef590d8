using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, point 3: behind the port proxy, a replica that leaves the routes (rolling restart, scale down) drains
/// before it is signalled, so that the port never fails a request, even under 200 concurrent connections.
/// </summary>
[StartsEarly]
public sealed class DrainTests(MinimalApi api) : IClassFixture<MinimalApi>
{
    [Fact]
    public async Task Restarts_and_a_scale_down_and_up_under_200_concurrent_clients_fail_no_request()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        api.CopyInto(fleet, "api", $"port: {port}\nscale: 3\nhealth: {{ http: /health }}\n");
        await fleet.RunOkAsync("start", "--no-build");

        long answeredBefore;
        IReadOnlyList<string> failures;
        await using (var load = new LoadGenerator(port, clients: 200))
        {
            await Eventually.TrueAsync(() => load.Answered > 1000, "the load to flow");
            await fleet.RunOkAsync("restart", "api");
            await fleet.RunOkAsync("restart", "api");
            await fleet.RunOkAsync("scale", "api=1");
            await fleet.RunOkAsync("scale", "api=3");
            answeredBefore = load.Answered;
            await Eventually.TrueAsync(() => load.Answered > answeredBefore + 1000, "the load to flow after the changes");
            failures = load.Failures;
        }

        Assert.True(failures.Count == 0, $"{failures.Count} failed requests: {string.Join("; ", failures.GroupBy(f => f).Select(g => $"{g.Count()} × {g.Key}"))}");
        Assert.Equal(3, (await fleet.PsAsync("api")).Count(r => r.State == "healthy"));
    }

    [Fact]
    public async Task A_single_replica_restarted_under_load_is_replaced_by_one_started_beside_it_and_fails_no_request()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        await fleet.RunOkAsync("start", "--no-build");
        var old = (await fleet.ReplicaAsync("api")).Pid!.Value;

        IReadOnlyList<string> failures;
        await using (var load = new LoadGenerator(port, clients: 8))
        {
            await Eventually.TrueAsync(() => load.Answered > 200, "the load to flow");
            var restart = fleet.RunAsync("restart", "api");
            // The new replica runs before the old one stops: a surge, not a gap the proxy would have to hold clients over.
            var surge = await Eventually.ValueAsync(async () => (await fleet.PsAsync("api")).FirstOrDefault(r => r.Pid is { } pid && pid != old), "the new replica to run");
            Assert.True(Procs.IsLive(old), "the old replica was stopped before its replacement started");
            Assert.True((await restart).ExitCode == 0, (await restart).ToString());
            var answeredAfter = load.Answered;
            await Eventually.TrueAsync(() => load.Answered > answeredAfter + 200, "the load to flow after the restart");
            failures = load.Failures;
            Assert.Equal(surge.Pid, (await fleet.ReplicaAsync("api")).Pid);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} failed requests: {string.Join("; ", failures.GroupBy(f => f).Select(g => $"{g.Count()} × {g.Key}"))}");
        Assert.False(Procs.IsLive(old), "the old replica outlived the restart");
        Assert.Contains($"pid {(await fleet.ReplicaAsync("api")).Pid}", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/hello"));
    }
}
