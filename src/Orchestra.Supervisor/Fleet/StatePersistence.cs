using Microsoft.Extensions.Logging;
using Orchestra.Runtime;
using Orchestra.Runtime.State;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// Keeps <c>state.json</c> up to date with the table, so a supervisor killed at any moment leaves the next one the
/// pids, ports and log offsets to adopt from. A new process, port or container, and a restart waiting out its backoff,
/// are written at once. The rest, which changes in bursts (log offsets, which every printing replica commits several
/// times a second; states, which fifty replicas starting at once change a hundred times), is written together: at
/// most one write per <see cref="ProgressInterval"/> for the whole fleet, none while nothing moves, and at the end of
/// every request (<see cref="Flush"/>), so the file is current when a command returns. Which replicas are forgotten
/// (scaled away) is the rollout's decision, not a change of the table. A file that cannot be written is logged when it
/// starts and when it stops failing.
/// </summary>
public sealed class StatePersistence : IAsyncDisposable
{
    /// <summary>
    /// How long a deferred change may wait to be written: after a crash, at most this much more output is collected
    /// twice, and a replica that got healthy this late is adopted as starting (and probed again).
    /// </summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly StateStore _state;
    private readonly WakeSignal _progress = new();
    private readonly CancellationTokenSource _ending = new();
    private readonly Task _writing;

    public StatePersistence(ReplicaTable table, StateStore state, TimeProvider time, ILogger log)
    {
        _state = state;
        table.Recorded += runner =>
        {
            if (state.Record(() => runner.Current, defer: true))
                _progress.Set();
        };
        state.SaveFaultChanged += fault =>
        {
            if (fault is null)
                log.StateFileWritten();
            else
                log.StateFileFault(fault);
        };
        _writing = WriteProgressAsync(time, _ending.Token);
    }

    private async Task WriteProgressAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _progress.WaitAsync(Timeout.InfiniteTimeSpan, time, cancellationToken);
                // Whatever else the fleet commits meanwhile goes into the same write.
                await Task.Delay(ProgressInterval, time, cancellationToken);
                _state.SaveIfChanged();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes what waits now: a request ends, and the command that sent it reads the file as it is.</summary>
    public void Flush() => _state.SaveIfChanged();

    /// <summary>Writes what waits: the supervisor is ending, or handing its replicas over.</summary>
    public async ValueTask DisposeAsync()
    {
        await _ending.CancelAsync();
        await _writing;
        _state.SaveIfChanged();
        _ending.Dispose();
    }
}
