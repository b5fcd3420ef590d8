namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// One piece of work at a time changes the fleet (a request, a rerun's rollout). A stop does not queue behind a start
/// that waits for an unhealthy service: entering with <c>preempt</c> cancels the work under way when it concerns any
/// of the same services, and that work ends at once with what it had done.
/// </summary>
internal sealed class FleetGate : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _lock = new();
    private Work? _current;

    /// <param name="services">What the work changes; empty for the whole fleet.</param>
    /// <param name="preempt">Cancel the work under way if it concerns any of <paramref name="services"/>.</param>
    public async Task<Work> EnterAsync(IReadOnlyCollection<string> services, bool preempt, CancellationToken cancellationToken)
    {
        if (preempt)
        {
            Work? current;
            lock (_lock)
                current = _current;
            // Outside the lock: cancelling runs the work's continuations, which may leave the gate on this thread.
            if (current is not null && current.Overlaps(services))
                current.Preempt();
        }
        await _turn.WaitAsync(cancellationToken);
        var work = new Work(this, services, cancellationToken);
        lock (_lock)
            _current = work;
        return work;
    }

    private void Leave(Work work)
    {
        lock (_lock)
        {
            if (_current == work)
                _current = null;
        }
        _turn.Release();
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>The work holding the gate: its token is cancelled by its caller or by a preempting stop.</summary>
    public sealed class Work : IDisposable
    {
        private readonly FleetGate _gate;
        private readonly IReadOnlyCollection<string> _services;
        private readonly CancellationTokenSource _cancel;
        private readonly CancellationToken _caller;
        private int _preempted;

        internal Work(FleetGate gate, IReadOnlyCollection<string> services, CancellationToken caller)
        {
            _gate = gate;
            _services = services;
            _caller = caller;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(caller);
        }

        public CancellationToken Token => _cancel.Token;

        /// <summary>True when a stop, not the caller, cancelled the work.</summary>
        public bool Preempted => Volatile.Read(ref _preempted) == 1 && !_caller.IsCancellationRequested;

        internal bool Overlaps(IReadOnlyCollection<string> services) =>
            services.Count == 0 || _services.Count == 0 || services.Any(_services.Contains);

        internal void Preempt()
        {
            Volatile.Write(ref _preempted, 1);
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It ended meanwhile: nothing left to preempt.
            }
        }

        public void Dispose()
        {
            _gate.Leave(this);
            _cancel.Dispose();
        }
    }
}
