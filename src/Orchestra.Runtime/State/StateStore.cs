using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.State;

namespace Orchestra.Runtime.State;

/// <summary>The outcome of reading the state file: the replicas it knows, and what went wrong if it was unusable.</summary>
public sealed record StateLoad(IReadOnlyList<ReplicaRecord> Replicas, string? Problem)
{
    /// <summary>The replicas were found again in /proc, not read from the file: the caller checks what they run before adopting them.</summary>
    public bool Recovered { get; init; }
}

/// <summary>
/// The replicas' state in <c>.orchestra/state.json</c>. Every write goes to a temporary file that is then renamed
/// over the old one, so a crash leaves either the old or the new file, never half of one. A corrupt or
/// unreadable file is set aside (<c>state.json.corrupt</c>) and the live replicas are found again by their
/// environment, so a damaged file never crashes Orchestra nor orphans a process. Thread-safe.
/// </summary>
public sealed class StateStore
{
    public const string FileName = "state.json";

    private readonly string _directory;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string, int), ReplicaRecord> _replicas = [];

    public StateStore(string stateDirectory) => _directory = stateDirectory;

    public string FilePath => Path.Combine(_directory, FileName);

    /// <summary>The replicas known now, by service and replica.</summary>
    public IReadOnlyList<ReplicaRecord> Replicas
    {
        get
        {
            lock (_lock)
                return _replicas.Values.OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Replica).ToList();
        }
    }

    /// <summary>
    /// Reads the state file. When it is missing the state is empty; when it cannot be used, the replicas of
    /// <paramref name="workspaceRoot"/> still alive are found through <paramref name="host"/> instead.
    /// </summary>
    /// <summary>
    /// The recorded replicas, read without changing anything; null when the file cannot be used. For a client that
    /// only needs to know whether a supervisor has work, and must leave recovery (and its report) to the supervisor.
    /// </summary>
    public IReadOnlyList<ReplicaRecord>? Peek()
    {
        try
        {
            return StateFolder.ReadText(FilePath) is { } text ? Parse(text) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            return null;
        }
    }

    public StateLoad Load(IProcessHost host, string workspaceRoot)
    {
        string? problem = null;
        IReadOnlyList<ReplicaRecord> replicas;
        try
        {
            replicas = StateFolder.ReadText(FilePath) is { } text ? Parse(text) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            problem = $"The state file {FilePath} could not be read ({e.Message}); the running replicas were found again from their processes.";
            SetAside();
            var scan = host.FindReplicas(workspaceRoot);
            replicas = Recover(scan);
            if (scan.Escaped.Count > 0)
                problem += $" Not adopted, as they descend from a replica and left its session (setsid): {string.Join(", ", scan.Escaped.Select(f => $"pid {f.Process.Pid} ({f.Service}.{f.Replica})"))}; Orchestra does not stop them.";
        }
        lock (_lock)
        {
            _replicas.Clear();
            foreach (var replica in replicas)
                _replicas[replica.Key] = replica;
        }
        if (problem is not null)
            Save();
        return new StateLoad(Replicas, problem) { Recovered = problem is not null };
    }

    /// <summary>The replica as recorded, or null.</summary>
    public ReplicaRecord? Find(string service, int replica)
    {
        lock (_lock)
            return _replicas.GetValueOrDefault((service, replica));
    }

    /// <summary>Records <paramref name="replica"/> and writes the file.</summary>
    public void Upsert(ReplicaRecord replica) => Record(() => replica);

    /// <summary>
    /// Records the replica as <paramref name="latest"/> reads it now, and writes the file. A runner's changes reach
    /// their subscribers from more than one thread (its loop, its log collector), so they can arrive out of order:
    /// reading the newest record under this lock, instead of taking the one a change carried, makes the last write
    /// the newest whatever the order of the calls.
    /// <para>
    /// With <paramref name="defer"/>, a change that a later supervisor does not need to find, adopt or restart the
    /// replica after a <c>kill -9</c> of this one is only kept in memory, for <see cref="SaveIfChanged"/>: how far its
    /// output is collected (offsets, a container's logs-until time), which a fleet of printing replicas commits many
    /// times a second, and its state (starting, healthy…), which fifty replicas starting at once change a hundred times
    /// in a few seconds; each write rewrites the whole file. A new process, container or port, and a restart waiting
    /// out its backoff, are written at once, with whatever waited. A crash loses only deferred changes: lines are
    /// collected twice, never lost, and an adopted replica is probed again whatever its recorded state.
    /// </para>
    /// </summary>
    /// <returns>True when the write was deferred.</returns>
    public bool Record(Func<ReplicaRecord> latest, bool defer = false)
    {
        lock (_lock)
        {
            var replica = latest();
            var before = _replicas.GetValueOrDefault(replica.Key);
            _replicas[replica.Key] = replica;
            if (defer && SameIdentity(before, replica))
            {
                _unsaved = true;
                return true;
            }
            WriteLocked();
            return false;
        }
    }

    /// <summary>Writes the file when a deferred change (or a failed write) left it out of date.</summary>
    public void SaveIfChanged()
    {
        lock (_lock)
        {
            if (_unsaved)
                WriteLocked();
        }
    }

    /// <summary>Whether what a later supervisor adopts or restarts by is unchanged (a record without any counts as one before it).</summary>
    private static bool SameIdentity(ReplicaRecord? before, ReplicaRecord after)
    {
        before ??= after with { Pid = 0, StartTime = 0, ContainerId = null, State = ReplicaState.Stopped };
        return before.Pid == after.Pid && before.StartTime == after.StartTime && before.Port == after.Port && before.ContainerId == after.ContainerId
            && (before.State == ReplicaState.Restarting) == (after.State == ReplicaState.Restarting);
    }

    /// <summary>Forgets a replica (scaled down or removed) and writes the file.</summary>
    public void Remove(string service, int replica)
    {
        lock (_lock)
        {
            if (_replicas.Remove((service, replica)))
                WriteLocked();
        }
    }

    /// <summary>Writes the file from what is known now (again, after a fault).</summary>
    public void Save()
    {
        lock (_lock)
            WriteLocked();
    }

    /// <summary>Why the file could not be written last time, or null when it is up to date.</summary>
    public string? SaveFault
    {
        get
        {
            lock (_lock)
                return _saveFault;
        }
    }

    /// <summary>Raised when writing the file starts failing (with why) and when it works again (with null).</summary>
    public event Action<string?>? SaveFaultChanged;

    /// <summary>How many times the file was written (or tried): what batching saves, for tests and diagnostics.</summary>
    public int Writes => Volatile.Read(ref _writes);

    private int _writes;
    private string? _saveFault;
    // The file is older than what is known: a deferred change, or a write that failed.
    private bool _unsaved;

    /// <summary>
    /// A failed write (the folder made read-only or immutable, a full disk) is not the replicas' problem: the state is
    /// kept in memory, the fault is reported, and every later change, and <see cref="Save"/>, tries the file again.
    /// </summary>
    private void WriteLocked()
    {
        var ordered = _replicas.Values.OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Replica).ToList();
        string? fault = null;
        Interlocked.Increment(ref _writes);
        try
        {
            StateFolder.WriteText(FilePath, JsonSerializer.Serialize(new StateDocument(ordered), StateJson.Default.StateDocument));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            fault = $"the state file {FilePath} cannot be written ({(e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.'))})";
        }
        // Reported when the file starts or stops failing, not on every retry.
        var changed = (fault is null) != (_saveFault is null);
        _saveFault = fault;
        _unsaved = fault is not null;
        if (changed)
            SaveFaultChanged?.Invoke(fault);
    }

    private static IReadOnlyList<ReplicaRecord> Parse(string text)
    {
        var document = JsonSerializer.Deserialize(text, StateJson.Default.StateDocument) ?? throw new InvalidDataException("the file is empty");
        if (document.Replicas is null || document.Replicas.Any(r => r is null || string.IsNullOrEmpty(r.Service) || r.Replica < 0 || r.Pid < 0))
            throw new InvalidDataException("it holds an invalid replica");
        return document.Replicas.GroupBy(r => r.Key).Select(g => g.Last()).ToList();
    }

    private void SetAside()
    {
        try
        {
            File.Move(FilePath, FilePath + ".corrupt", overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable and immovable: the next successful save replaces it anyway.
        }
    }

    private IReadOnlyList<ReplicaRecord> Recover(ReplicaScan scan)
    {
        var logs = ReplicaLogFiles.DirectoryIn(_directory);
        return scan.Replicas.Select(found =>
        {
            // Offsets are lost with the file: resume where collected (punched) raw data ends. Lines of the last
            // partly punched block may be collected twice; none is lost.
            var files = new ReplicaLogFiles(logs, found.Service, found.Replica);
            return new ReplicaRecord
            {
                Service = found.Service,
                Replica = found.Replica,
                Pid = found.Process.Pid,
                StartTime = found.Process.StartTime,
                State = ReplicaState.Starting,
                Port = found.Port,
                StdoutOffset = RawSpaceReclaimer.FirstData(files.RawStdout),
                StderrOffset = RawSpaceReclaimer.FirstData(files.RawStderr),
            };
        }).ToList();
    }

}

/// <summary>What <c>state.json</c> holds.</summary>
internal sealed record StateDocument(IReadOnlyList<ReplicaRecord> Replicas)
{
    public int Version { get; init; } = 1;
}

/// <summary>Source-generated serialization of the state file: no reflection in the supervisor.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StateDocument))]
internal sealed partial class StateJson : JsonSerializerContext;
