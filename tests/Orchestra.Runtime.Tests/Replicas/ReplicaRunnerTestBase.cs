using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.Restarts;
using Orchestra.Runtime.State;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Replicas;

/// <summary>
/// What the runner tests share: fast runtime options, a workspace whose processes are tracked and killed after each
/// test, and a runner whose every change is recorded as the supervisor's persistence records it. The tests are split
/// by theme into classes of their own so that xunit runs them side by side: most of their time is waiting on a
/// replica's timers.
/// </summary>
public abstract class ReplicaRunnerTestBase : IDisposable
{
    protected static readonly RuntimeOptions Fast = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(10),
        Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromMinutes(1), 10),
        Logs = new LogCollectorOptions { PollInterval = TimeSpan.FromMilliseconds(10), CommitInterval = TimeSpan.FromMilliseconds(20) },
    };

    protected RunnerWorkspace Workspace { get; } = new();

    /// <summary>A runner whose every change is written to <paramref name="state"/>, as the supervisor's persistence does.</summary>
    protected ReplicaRunner Runner(ReplicaSpec spec, StateStore? state = null, RuntimeOptions? options = null)
    {
        state ??= new StateStore(Workspace.StateDirectory);
        var runner = new ReplicaRunner(spec, Workspace.Host, options ?? Fast, state.Find(spec.Service, spec.Replica));
        runner.Changed += r =>
        {
            state.Record(() => runner.Current);
            if (r.Process is { } process)
                Workspace.Track(process);
        };
        return runner;
    }

    protected static List<string> Lines(ReplicaLogFiles files) =>
        files.LogFilesOldestFirst().SelectMany(File.ReadLines).Select(l => LogLineFormat.Parse(files.Service, files.Replica, l)!.Text).ToList();

    public void Dispose()
    {
        Workspace.Dispose();
        GC.SuppressFinalize(this);
    }
}
