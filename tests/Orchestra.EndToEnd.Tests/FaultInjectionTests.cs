using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, point 4 and the fault-injection acceptance: faults at the worst moment. After each, nothing is left in
/// /proc that should not be, and no command reports success while the fleet it controls disagrees.
/// </summary>
[Collection(MinimalApiCollection.Name)]
public sealed class FaultInjectionTests(MinimalApi api)
{
    private static async Task<string?> GetAsync(string url)
    {
        try
        {
            return await FreshHttp.GetStringAsync(url);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task A_supervisor_killed_during_a_reruns_build_leaves_the_next_start_serving_the_new_build()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        Directory.CreateDirectory(fleet.PathOf("packages"));
        await fleet.RunOkAsync("start", "--no-build");
        var supervisor = fleet.SupervisorPid!.Value;

        fleet.Write("api/Program.cs", MinimalApi.Program.Replace("$\"hello from {who}", "$\"rebuilt from {who}"));
        var prepare = await Eventually.ValueAsync(() => Procs.LiveWithCommandLine($"__prepare --config {fleet.PathOf("orchestra.yml")}").Cast<int?>().FirstOrDefault() is { } pid ? (object)pid : null,
            "the rerun's build to begin");
        Procs.Signal(supervisor, Procs.SigKill);
        // The build goes on without the supervisor and records its result: `build` has nothing left to do.
        await Eventually.TrueAsync(() => !Procs.IsLive((int)prepare), "the orphaned build to finish", TimeSpan.FromMinutes(3));
        Assert.StartsWith("hello from api", await GetAsync($"http://127.0.0.1:{ReplicaPort(fleet)}/hello"));

        await fleet.RunOkAsync("start");

        Assert.StartsWith("rebuilt from api", await GetAsync($"http://127.0.0.1:{port}/hello"));
        Assert.Single(await fleet.PsAsync("api"));
    }

    /// <summary>The port the replica itself listens on, from the state file: the public port closes with the supervisor.</summary>
    private static int ReplicaPort(TestFleet fleet)
    {
        var state = File.ReadAllText(Path.Combine(fleet.StateDirectory, "state.json"));
        var match = System.Text.RegularExpressions.Regex.Match(state, "\"port\": (\\d+)");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
