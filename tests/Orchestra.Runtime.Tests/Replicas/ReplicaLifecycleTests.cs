using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestra.Configuration;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Restarts;
using Orchestra.Runtime.State;

namespace Orchestra.Runtime.Tests.Replicas;

/// <summary>A replica started, restarted, crashed and stopped by its runner.</summary>
public sealed class ReplicaLifecycleTests : ReplicaRunnerTestBase
{
    [Fact]
    public async Task A_failing_replica_is_restarted_with_growing_delays_and_ends_crashed_after_ten_failures()
    {
        var spec = Workspace.Spec("flaky", "/bin/sh", [Workspace.Script("flaky", "echo run; exit 3")]) with { Restart = RestartPolicy.OnFailure };
        // The standard delays, 2.5 minutes of them, on a fake clock. No uptime reset: the clock may run on while a
        // process runs (see below), and a reset is the tracker's to test.
        var clock = new FakeTimeProvider();
        var backoff = RestartBackoff.Standard with { ResetAfter = TimeSpan.MaxValue };
        await using var runner = Runner(spec, options: Fast with { Time = clock, Backoff = backoff });
        // Keyed by restart number: offset commits re-publish the same restarting record.
        var backoffs = new SortedDictionary<int, TimeSpan>();
        runner.Changed += r =>
        {
            if (r is { State: ReplicaState.Restarting, Backoff: { } delay })
                lock (backoffs) backoffs[r.Restarts] = delay;
        };

        runner.Start();
        // The processes are real, the clock is not: it moves on by a poll while a run is under way, and by the whole
        // delay while the runner waits one out (again, should that advance come before the runner waited on the clock).
        await Eventually.TrueAsync(() =>
        {
            var current = runner.Current;
            if (current.State == ReplicaState.Crashed)
                return true;
            clock.Advance(current is { State: ReplicaState.Restarting, Backoff: { } delay } ? delay : Fast.PollInterval);
            return false;
        }, "the replica to end crashed");

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30, 30], backoffs.Values.Select(b => b.TotalSeconds));
        Assert.Equal(9, runner.Current.Restarts);
        Assert.Equal("exit code 3", runner.Current.LastExit);
        Assert.Equal(0, runner.Current.Pid);
        Assert.Equal(Enumerable.Repeat("run", 10), Lines(spec.LogFiles));
        Assert.Equal(ReplicaState.Crashed, new StateStore(Workspace.StateDirectory).Load(Workspace.Host, Workspace.Root).Replicas.Single().State);
    }

    [Fact]
    public async Task A_program_that_cannot_start_ends_crashed_with_the_reason()
    {
        await using var runner = Runner(Workspace.Spec("ghost", "no-such-program-xyz", []));
        runner.Start();
        Assert.Equal(ReplicaState.Crashed, await runner.WaitForAsync(s => s == ReplicaState.Crashed, CancellationToken.None).WithDeadline());
        Assert.Contains("no-such-program-xyz", runner.Current.LastExit);
    }

    [Fact]
    public async Task A_clean_exit_under_on_failure_leaves_the_replica_stopped()
    {
        var spec = Workspace.Spec("job", "/bin/sh", ["-c", "echo done"]);
        await using var runner = Runner(spec);
        runner.Start();
        Assert.Equal(ReplicaState.Stopped, await runner.WaitForAsync(s => s == ReplicaState.Stopped, CancellationToken.None).WithDeadline());
        Assert.Equal("exit code 0", runner.Current.LastExit);
        Assert.Equal(["done"], Lines(spec.LogFiles));
    }

    [Fact]
    public async Task An_http_service_becomes_healthy_and_stop_leaves_nothing_behind()
    {
        var port = Ports.Free();
        var spec = Workspace.Spec("web", "python3", ["-m", "http.server", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1"]) with
        {
            Port = port,
            Health = new HealthConfig(HealthKind.Http, "/", TimeSpan.FromMilliseconds(50), Eventually.Deadline),
        };
        await using var runner = Runner(spec);

        runner.Start();
        Assert.Equal(ReplicaState.Healthy, await runner.WaitUntilSettledAsync(CancellationToken.None).WithDeadline());
        var process = runner.Current.Process!.Value;
        Assert.Equal(process.Pid, ProcFs.ReadStat(process.Pid)!.Value.Session);

        Assert.Equal(StopOutcome.Graceful, await runner.StopAsync(CancellationToken.None));
        Assert.False(Procs.IsLive(process.Pid));
        Assert.Empty(Workspace.Host.GroupMembers(process));
        Assert.Equal(ReplicaState.Stopped, runner.Current.State);
        Assert.Contains(Lines(spec.LogFiles), l => l.Contains("GET / HTTP", StringComparison.Ordinal));
        Assert.False(File.Exists(spec.LogFiles.RawStdout));
    }
}
