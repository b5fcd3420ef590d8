using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestra.State;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// A replacement under way behind the proxy: <paramref name="Surge"/> runs beside <paramref name="Replaces"/>, and
/// <paramref name="Switched"/> tells whether the proxy has been switched to it (it was healthy, the old one drains).
/// </summary>
internal sealed record SurgeEntry(string Service, int Surge, int Replaces, bool Switched);

/// <summary>
/// The surge replacements under way, in <c>.orchestra/surges.json</c>: while one lasts, two replicas of the service run
/// for one place, and a supervisor killed then leaves the next one both. The state file alone cannot tell which of the
/// two to keep; this says so. An entry is written before the surge's process exists and marked switched before the
/// old replica is signalled, so whatever moment a <c>kill -9</c> hits, the next supervisor keeps the one that served:
/// the old one until the switch, the surge from then on (<see cref="SurvivorAdoption"/>).
/// One replacement per service at a time (the rollout is one request at a time), so entries are keyed by service.
/// </summary>
internal sealed class SurgeLedger(string stateDirectory)
{
    private readonly Lock _lock = new();
    private Dictionary<string, SurgeEntry>? _entries;

    private string FilePath => Path.Combine(stateDirectory, "surges.json");

    /// <summary>The replacements a previous supervisor left under way.</summary>
    public IReadOnlyList<SurgeEntry> Pending
    {
        get
        {
            lock (_lock)
                return [.. Entries.Values];
        }
    }

    /// <summary>Records that <paramref name="surge"/> is about to start beside <paramref name="replaces"/>.</summary>
    public void Begin(string service, int surge, int replaces) => Write(service, new SurgeEntry(service, surge, replaces, Switched: false));

    /// <summary>Records that the surge took over: it is healthy and in the routes, and the old replica leaves.</summary>
    public void Switch(string service)
    {
        lock (_lock)
        {
            if (Entries.TryGetValue(service, out var entry))
                Write(service, entry with { Switched = true });
        }
    }

    /// <summary>Forgets the service's replacement: one of the two replicas is gone.</summary>
    public void End(string service) => Write(service, null);

    /// <summary>Forgets every replacement: a new supervisor has settled them.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            if (Entries.Count == 0)
                return;
            Entries.Clear();
            Save();
        }
    }

    private Dictionary<string, SurgeEntry> Entries => _entries ??= Load();

    private void Write(string service, SurgeEntry? entry)
    {
        lock (_lock)
        {
            if (entry is null ? !Entries.Remove(service) : Entries.TryGetValue(service, out var same) && same == entry)
                return;
            if (entry is not null)
                Entries[service] = entry;
            Save();
        }
    }

    private void Save() => StateFolder.WriteText(FilePath, JsonSerializer.Serialize(Entries.Values.ToList(), SurgeJson.Default.ListSurgeEntry));

    private Dictionary<string, SurgeEntry> Load()
    {
        try
        {
            // Refused (StateFolderException) when someone else could have written it, as every file of the folder.
            var entries = StateFolder.ReadText(FilePath) is { } text ? JsonSerializer.Deserialize(text, SurgeJson.Default.ListSurgeEntry) ?? [] : [];
            return entries.ToDictionary(e => e.Service, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            // None, or a damaged file: both replicas of an interrupted switch are then adopted, and the next start or
            // scale retires the one above the count.
            return new Dictionary<string, SurgeEntry>(StringComparer.Ordinal);
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<SurgeEntry>))]
internal sealed partial class SurgeJson : JsonSerializerContext;
