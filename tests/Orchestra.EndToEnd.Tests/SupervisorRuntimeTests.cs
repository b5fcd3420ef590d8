using Orchestra.EndToEnd.Tests.Support;
using Orchestra.Supervisor;

namespace Orchestra.EndToEnd.Tests;

/// <summary>The supervisor runs with runtime settings of its own (<see cref="SupervisorRuntime"/>), which its replicas never inherit.</summary>
public sealed class SupervisorRuntimeTests
{
    private const string Idle = """
        import time
        print("idle ready")
        while True:
            time.sleep(1)
        """;

    private static IReadOnlyDictionary<string, string> EnvironmentOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");

    [Fact]
    public async Task The_supervisor_runs_with_its_GC_settings_and_a_replica_does_not_see_them()
    {
        await using var fleet = new TestFleet();
        // A shell of its own: the suite's runs some of these settings itself (tests/test.runsettings), and a replica
        // rightly inherits what its shell has.
        foreach (var name in SupervisorRuntime.Settings.Keys)
            fleet.Shell.Remove(name);
        fleet.PythonService("idle", Idle, "health: { log: \"idle ready\" }\n");
        await fleet.RunOkAsync("start");
        var supervisor = fleet.SupervisorPid ?? throw new InvalidOperationException("no supervisor runs");
        var replica = (await fleet.ReplicaAsync("idle")).Pid ?? throw new InvalidOperationException("the replica does not run");

        var own = EnvironmentOf(supervisor);
        Assert.All(SupervisorRuntime.Settings, setting => Assert.Equal(setting.Value, own.GetValueOrDefault(setting.Key)));
        var inherited = EnvironmentOf(replica);
        Assert.Equal(fleet.Root, inherited.GetValueOrDefault("ORCHESTRA_WORKSPACE"));
        Assert.All(SupervisorRuntime.Settings.Keys, name => Assert.DoesNotContain(name, inherited.Keys));

        await fleet.RunOkAsync("stop");
    }
}
