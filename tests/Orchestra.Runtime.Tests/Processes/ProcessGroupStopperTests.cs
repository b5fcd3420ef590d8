using System.Diagnostics;
using System.Globalization;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Tests.Support;
using Xunit.Abstractions;

namespace Orchestra.Runtime.Tests.Processes;

public sealed class ProcessGroupStopperTests(ITestOutputHelper output) : IDisposable
{
    private readonly RunnerWorkspace _workspace = new();

    private ProcessGroupStopper Stopper => new(_workspace.Host, TimeProvider.System, TimeSpan.FromMilliseconds(10));

    [Fact]
    public async Task A_replica_ignoring_SIGTERM_is_killed_after_the_timeout_with_the_child_it_spawned()
    {
        var script = _workspace.Script("stubborn", "trap '' TERM\nsleep 1000 &\necho $!\nwait");
        var process = _workspace.SpawnScript("api", script);
        var stdout = _workspace.Files("api").RawStdout;
        var child = int.Parse(await Eventually.ValueAsync(() => File.ReadAllText(stdout) is { Length: > 0 } s && s.EndsWith('\n') ? s.Trim() : null, "the child's pid"),
            CultureInfo.InvariantCulture);
        Assert.True(Procs.IsLive(child));
        Assert.Equal(process.Pid, ProcFs.ReadStat(child)!.Value.ProcessGroup);

        var outcome = await Stopper.StopAsync(process, StopSignals.Term, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.Equal(StopOutcome.Killed, outcome);
        Assert.False(Procs.IsLive(process.Pid));
        Assert.False(Procs.IsLive(child));
        Assert.Empty(_workspace.Host.GroupMembers(process));
    }

    [Fact]
    public async Task Twenty_replicas_that_handle_SIGTERM_stop_gracefully_in_parallel()
    {
        var script = _workspace.Script("polite", "trap 'exit 0' TERM\nwhile :; do sleep 0.05; done");
        var processes = Enumerable.Range(0, 20).Select(i => _workspace.SpawnScript($"svc{i}", script)).ToList();
        // Each one seen once with its sleep child: all twenty at the same instant is rare on a loaded machine, since a
        // replica between two sleeps has none.
        var looping = new HashSet<int>();
        await Eventually.TrueAsync(() =>
        {
            looping.UnionWith(processes.Where(p => _workspace.Host.GroupMembers(p).Count >= 2).Select(p => p.Pid));
            return looping.Count == processes.Count;
        }, "every replica to run its loop");

        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(processes.Select(p => Stopper.StopAsync(p, StopSignals.Term, TimeSpan.FromSeconds(10), CancellationToken.None)));
        output.WriteLine($"20 replicas stopped in {clock.ElapsedMilliseconds} ms");

        Assert.All(outcomes, o => Assert.Equal(StopOutcome.Graceful, o));
        Assert.All(processes, p => Assert.Empty(_workspace.Host.GroupMembers(p)));
        Assert.All(processes, p => Assert.False(Procs.IsLive(p.Pid)));
    }

    [Fact]
    public async Task Children_left_behind_by_a_dead_leader_are_still_stopped()
    {
        var script = _workspace.Script("orphaner", "sleep 1000 &\necho $!");
        var process = _workspace.SpawnScript("api", script);
        await _workspace.ExitAsync(process);
        var child = int.Parse(File.ReadAllText(_workspace.Files("api").RawStdout).Trim(), CultureInfo.InvariantCulture);
        Assert.True(Procs.IsLive(child));

        Assert.Equal(StopOutcome.Graceful, await Stopper.StopAsync(process, StopSignals.Term, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.False(Procs.IsLive(child));
    }

    public void Dispose() => _workspace.Dispose();
}
