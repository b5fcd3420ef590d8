using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 12, point 3: reruns go through one long-lived build host (the hidden <c>__buildhost</c> command), reused from
/// rerun to rerun; a host killed in the middle of a build is replaced and the rerun asked again, while the old
/// replica serves on; and the host ends with the fleet.
/// </summary>
[StartsEarly]
public sealed class BuildHostTests(MinimalApi api) : IClassFixture<MinimalApi>
{
    /// <summary>Generous: every rerun here is a real build, on a machine others share.</summary>
    private static readonly TimeSpan RerunDeadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_host_killed_mid_build_is_replaced_while_the_old_replica_serves_and_the_new_host_serves_the_next_rerun_until_stop()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        fleet.Write("api/api.csproj", MinimalApi.HeldProject);
        Directory.CreateDirectory(fleet.PathOf("packages"));
        await fleet.RunOkAsync("start", "--no-build");
        var first = await fleet.ReplicaAsync("api");
        await fleet.WatchingAsync("api");

        var hold = fleet.Write("hold-build", "");
        fleet.Write("api/Program.cs", Said("second"));
        var killed = await Eventually.ValueAsync(() => Hosts(fleet) is [var pid] ? (object)pid : null, "the build host to build");
        await Eventually.TrueAsync(async () => (await fleet.ReplicaAsync("api")).Rerun == "building", "ps to show the rerun building");
        Procs.Signal((int)killed, Procs.SigKill);

        var replacement = await Eventually.ValueAsync(() => Hosts(fleet) is [var pid] && pid != (int)killed ? (object)pid : null, "a new build host", RerunDeadline);
        Assert.Equal("building", (await fleet.ReplicaAsync("api")).Rerun);
        Assert.Equal($"hello from api pid {first.Pid}", await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/hello"));
        File.Delete(hold);
        await ServedAsync(port, "second");
        Assert.Contains($"the build host (pid {killed}) ended before it answered", fleet.SupervisorLog, StringComparison.Ordinal);

        fleet.Write("api/Program.cs", Said("third"));
        await ServedAsync(port, "third");
        Assert.Equal([(int)replacement], Hosts(fleet));

        await fleet.RunOkAsync("stop");
        await Eventually.TrueAsync(() => !Procs.IsLive((int)replacement), "the build host to end with the fleet");
    }

    private static string Said(string word) => MinimalApi.Program.Replace("$\"hello from {who}", $"$\"{word} from {{who}}", StringComparison.Ordinal);

    private static IReadOnlyList<int> Hosts(TestFleet fleet) => Procs.LiveWithCommandLine($"__buildhost --config {fleet.PathOf("orchestra.yml")}");

    private static Task ServedAsync(int port, string word) =>
        Eventually.TrueAsync(async () => (await FreshHttp.TryGetStringAsync($"http://127.0.0.1:{port}/hello"))?.StartsWith(word + " from api", StringComparison.Ordinal) == true,
            $"the rerun to serve '{word}'", RerunDeadline);
}
