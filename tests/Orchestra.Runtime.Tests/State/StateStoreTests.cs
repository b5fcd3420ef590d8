using Orchestra.Runtime.Processes;
using Orchestra.Runtime.State;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.State;

public sealed class StateStoreTests : IDisposable
{
    private readonly RunnerWorkspace _workspace = new();

    private StateStore Store() => new(_workspace.StateDirectory);

    [Fact]
    public void Replicas_survive_a_round_trip_through_the_file()
    {
        var store = Store();
        var api = new ReplicaRecord
        {
            Service = "api", Replica = 0, Pid = 1234, StartTime = 987654, Port = 5000, State = ReplicaState.Healthy, Restarts = 2,
            StartedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), LastExit = "exit code 3", StdoutOffset = 10, StderrOffset = 20,
        };
        var worker = new ReplicaRecord { Service = "worker", Replica = 1, State = ReplicaState.Crashed, Backoff = TimeSpan.FromSeconds(4) };
        store.Upsert(worker);
        store.Upsert(api);
        store.Upsert(api with { Restarts = 3 });

        var load = Store().Load(_workspace.Host, _workspace.Root);

        Assert.Null(load.Problem);
        Assert.Equal([api with { Restarts = 3 }, worker], load.Replicas);
        Assert.Equal(new ProcessIdentity(1234, 987654), load.Replicas[0].Process);
        Assert.Equal([StateStore.FileName], Directory.GetFiles(_workspace.StateDirectory).Select(Path.GetFileName));

        store.Remove("worker", 1);
        Assert.Equal([api with { Restarts = 3 }], Store().Load(_workspace.Host, _workspace.Root).Replicas);
    }

    [Fact]
    public void A_missing_file_is_an_empty_state()
    {
        var load = Store().Load(_workspace.Host, _workspace.Root);
        Assert.Null(load.Problem);
        Assert.Empty(load.Replicas);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1, 2]")]
    [InlineData("{\"replicas\": [{\"service\": \"\", \"replica\": 0}]}")]
    [InlineData("{\"replicas\": [{\"replica\": 0}]}")]
    [InlineData("{\"replicas\": [null]}")]
    [InlineData("\u0000\u0001\u0002")]
    public async Task A_corrupt_file_is_set_aside_and_the_live_replicas_are_found_again(string content)
    {
        var live = _workspace.Spawn("api", "sleep", ["30"], replica: 2);
        // posix_spawn returns while the kernel may still be laying out the new program's environment.
        await Eventually.TrueAsync(() => File.ReadAllBytes($"/proc/{live.Pid}/environ").Length > 0, "the replica's environment to be readable");
        File.WriteAllText(Path.Combine(_workspace.StateDirectory, StateStore.FileName), content);

        var store = Store();
        var load = store.Load(_workspace.Host, _workspace.Root);

        Assert.NotNull(load.Problem);
        Assert.Contains(StateStore.FileName, load.Problem);
        var found = Assert.Single(load.Replicas);
        Assert.Equal(("api", 2), found.Key);
        Assert.Equal(live, found.Process);
        Assert.Equal(content, File.ReadAllText(store.FilePath + ".corrupt"));
        Assert.Null(Store().Load(_workspace.Host, _workspace.Root).Problem);
        _workspace.Host.SignalGroup(live, StopSignals.Kill);
        await _workspace.ExitAsync(live);
    }

    public void Dispose() => _workspace.Dispose();
}
