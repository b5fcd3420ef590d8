using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Processes;

/// <summary>
/// Exits are told by the kernel (a pidfd per replica, waited on in one epoll thread), not found by polling. Each wait
/// below is given a poll interval of an hour: the exit is seen long before any poll would look.
/// </summary>
public sealed class ExitDetectionTests : IDisposable
{
    private static readonly TimeSpan NoPolling = TimeSpan.FromHours(1);
    private readonly RunnerWorkspace _workspace = new();

    private Task<ExitStatus> WaitAsync(IProcessHost host, ProcessIdentity process, TimeSpan pollInterval, CancellationToken cancellationToken = default) =>
        host.WaitForExitAsync(process, pollInterval, TimeProvider.System, cancellationToken);

    [Fact]
    public async Task An_exit_is_seen_at_once_without_polling_and_the_child_is_reaped()
    {
        var process = _workspace.SpawnScript("api", _workspace.Script("late-exit", "sleep 0.2\nexit 3"));

        var status = await WaitAsync(_workspace.Host, process, NoPolling).WithDeadline();

        Assert.Equal(new ExitStatus(3, null), status);
        Assert.Null(Procs.State(process.Pid)); // reaped, not left a zombie
    }

    [Fact]
    public async Task Many_replicas_ending_in_any_order_each_get_their_own_status()
    {
        const int count = 40;
        var processes = Enumerable.Range(0, count)
            .Select(i => _workspace.SpawnScript("many", _workspace.Script($"exit-{i}", $"sleep 0.{(count - i) % 7}\nexit {i}"), replica: i))
            .ToList();

        var statuses = await Task.WhenAll(processes.Select(p => WaitAsync(_workspace.Host, p, NoPolling))).WithDeadline();

        Assert.Equal(Enumerable.Range(0, count).Select(i => new ExitStatus(i, null)), statuses);
    }

    [Fact]
    public async Task A_process_that_is_not_our_child_is_seen_ending_with_an_unknown_status()
    {
        // As after a supervisor's kill -9: the replica was another process's child, now init's.
        var launcher = _workspace.SpawnScript("adopted", _workspace.Script("launcher", "sleep 300 &\necho $!"));
        await _workspace.ExitAsync(launcher);
        var pid = int.Parse(File.ReadAllText(_workspace.Files("adopted").RawStdout).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var orphan = _workspace.Host.Identify(pid) ?? throw new InvalidOperationException("the background sleep is gone");
        _workspace.Track(orphan);

        var waiting = WaitAsync(_workspace.Host, orphan, NoPolling);
        Assert.False(waiting.IsCompleted, "a running process has not ended");
        _workspace.Host.Signal(orphan, StopSignals.Term);

        Assert.Equal(ExitStatus.Unknown, await waiting.WithDeadline());
    }

    [Fact]
    public async Task Without_pidfd_as_on_a_kernel_before_5_3_exits_are_polled_for()
    {
        var opened = 0;
        var oldKernel = new LinuxProcessHost(_ =>
        {
            Interlocked.Increment(ref opened);
            return -LibC.ENoSys;
        });
        var process = _workspace.SpawnScript("old", _workspace.Script("exit5", "sleep 0.1\nexit 5"));

        var status = await WaitAsync(oldKernel, process, TimeSpan.FromMilliseconds(10)).WithDeadline();

        Assert.Equal(new ExitStatus(5, null), status);
        Assert.Equal(1, opened);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_process_running_and_waitable_again()
    {
        var process = _workspace.SpawnScript("api", _workspace.Script("sleeper", "exec sleep 30"));
        using var cancel = new CancellationTokenSource();

        var first = WaitAsync(_workspace.Host, process, NoPolling, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first).WithDeadline();

        Assert.True(_workspace.Host.IsAlive(process));
        var second = WaitAsync(_workspace.Host, process, NoPolling);
        _workspace.Host.SignalGroup(process, StopSignals.Kill);
        Assert.Equal(new ExitStatus(null, StopSignals.Kill), await second.WithDeadline());
    }

    [Fact]
    public async Task A_record_whose_pid_now_belongs_to_another_process_is_not_waited_for()
    {
        var process = _workspace.SpawnScript("api", _workspace.Script("sleeper", "exec sleep 30"));
        var stale = process with { StartTime = process.StartTime - 1 };

        Assert.Equal(ExitStatus.Unknown, await WaitAsync(_workspace.Host, stale, NoPolling).WithDeadline());
        Assert.True(_workspace.Host.IsAlive(process), "the process that holds the pid now is left alone");
    }

    public void Dispose() => _workspace.Dispose();
}
