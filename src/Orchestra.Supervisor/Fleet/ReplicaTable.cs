using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;

namespace Orchestra.Supervisor.Fleet;

/// <summary>A replica as the table hands it out: its record, whether it is draining, and a log-collection fault.</summary>
public sealed record ReplicaView(IReplicaRunner Runner, ReplicaRecord Record, bool Draining, string? LogFault)
{
    public (string Service, int Replica) Key => Record.Key;
}

/// <summary>What changed in the fleet, for the parts that follow it (routing, the event log, a dashboard).</summary>
public abstract record ReplicaChange(string Service, int Replica);

/// <summary>A replica's state or port changed (log offsets alone are not news). <paramref name="Before"/> is null for a new replica.</summary>
public sealed record ReplicaStateChanged(string Service, int Replica, ReplicaRecord Record, ReplicaState? Before) : ReplicaChange(Service, Replica);

/// <summary>A replica left the routes to finish the connections it has before it stops.</summary>
public sealed record ReplicaDraining(string Service, int Replica) : ReplicaChange(Service, Replica);

/// <summary>A replica is no longer in the fleet.</summary>
public sealed record ReplicaRemoved(string Service, int Replica) : ReplicaChange(Service, Replica);

/// <summary>Collecting a replica's output started failing (<paramref name="Fault"/>) or works again (null).</summary>
public sealed record ReplicaLogFaultChanged(string Service, int Replica, string? Fault) : ReplicaChange(Service, Replica);

/// <summary>
/// The fleet's replicas, one runner each, and the one stream of their changes. Thread-safe: requests change it,
/// runners report from their own threads, and <c>ps</c> and the signal handler read it without waiting for either;
/// every read is a snapshot taken under the lock. Subscribers are called outside that lock, in the order of changes
/// of one replica.
/// </summary>
public sealed class ReplicaTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Service, int Replica), Entry> _entries = [];

    /// <summary>Every change, as it happens.</summary>
    public event Action<ReplicaChange>? Changed;

    /// <summary>
    /// Every change of a replica's record while it is in the table, log offsets included, and its record as it
    /// enters: what persistence follows. Read the runner's <see cref="IReplicaRunner.Current"/>, which is never older.
    /// </summary>
    public event Action<IReplicaRunner>? Recorded;

    /// <summary>Puts <paramref name="runner"/> in the table (in place of the one it replaces) and follows its changes.</summary>
    public void Add(IReplicaRunner runner)
    {
        var record = runner.Current;
        var entry = new Entry(runner, record.State, record.Port);
        lock (_lock)
            _entries[record.Key] = entry;
        runner.Changed += changed =>
        {
            OnRecorded(runner);
            OnChanged(entry, changed);
        };
        OnRecorded(runner);
        runner.LogFaultChanged += fault => Publish(new ReplicaLogFaultChanged(record.Service, record.Replica, fault?.Reason));
        Publish(new ReplicaStateChanged(record.Service, record.Replica, record, null));
    }

    /// <summary>Takes the replica's runner out; the caller has stopped or detached it.</summary>
    public void Remove(IReplicaRunner runner)
    {
        var key = runner.Current.Key;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry) || entry.Runner != runner)
                return;
            _entries.Remove(key);
        }
        Publish(new ReplicaRemoved(key.Service, key.Replica));
    }

    /// <summary>Marks the runner as draining: out of the routes while it finishes what it has.</summary>
    public void Drain(IReplicaRunner runner)
    {
        var key = runner.Current.Key;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry) || entry.Runner != runner)
                return;
            entry.Draining = true;
        }
        Publish(new ReplicaDraining(key.Service, key.Replica));
    }

    /// <summary>The runner of a replica, or null.</summary>
    public IReplicaRunner? Find(string service, int replica)
    {
        lock (_lock)
            return _entries.GetValueOrDefault((service, replica))?.Runner;
    }

    /// <summary>The replicas now, of one service or all, ordered by service and number.</summary>
    public IReadOnlyList<ReplicaView> Snapshot(string? service = null)
    {
        lock (_lock)
        {
            return _entries.Values
                .Where(e => service is null || e.Service == service)
                .Select(e => new ReplicaView(e.Runner, e.Runner.Current, e.Draining, e.Runner.LogFault?.Reason))
                .OrderBy(v => v.Record.Service, StringComparer.Ordinal).ThenBy(v => v.Record.Replica)
                .ToList();
        }
    }

    /// <summary>The services that have a replica in the table.</summary>
    public IReadOnlySet<string> Services()
    {
        lock (_lock)
            return _entries.Values.Select(e => e.Service).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The processes running now, for a signal that cannot wait for anything (the second Ctrl-C).</summary>
    public IReadOnlyList<ProcessIdentity> Processes()
    {
        lock (_lock)
            return _entries.Values.Select(e => e.Runner.Current.Process).OfType<ProcessIdentity>().ToList();
    }

    private void OnRecorded(IReplicaRunner runner)
    {
        if (Find(runner.Current.Service, runner.Current.Replica) == runner)
            Recorded?.Invoke(runner);
    }

    private void OnChanged(Entry entry, ReplicaRecord changed)
    {
        // Most changes are log offsets, committed many times a second while a replica prints: only a new state or
        // port is news to the subscribers, and each replica's changes are told in order.
        ReplicaState before;
        lock (entry)
        {
            if (entry.State == changed.State && entry.Port == changed.Port)
                return;
            before = entry.State;
            (entry.State, entry.Port) = (changed.State, changed.Port);
            Publish(new ReplicaStateChanged(changed.Service, changed.Replica, changed, before));
        }
    }

    private void Publish(ReplicaChange change) => Changed?.Invoke(change);

    private sealed class Entry(IReplicaRunner runner, ReplicaState state, int? port)
    {
        public IReplicaRunner Runner { get; } = runner;
        public string Service { get; } = runner.Current.Service;
        public ReplicaState State { get; set; } = state;
        public int? Port { get; set; } = port;
        public bool Draining { get; set; }
    }
}
