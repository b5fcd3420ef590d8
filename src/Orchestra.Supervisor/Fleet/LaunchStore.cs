using System.Text.Json;
using Orchestra.Launching;
using Orchestra.State;
using Orchestra.Supervisor.Control;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// The last launch spec of every service, in <c>.orchestra/launch.json</c>, so that a supervisor that adopts
/// replicas after a crash knows how to restart them without a new build.
/// </summary>
internal sealed class LaunchStore(string stateDirectory)
{
    private readonly Dictionary<string, LaunchSpec> _specs = Load(Path.Combine(stateDirectory, "launch.json"));
    // Requests save under the supervisor's gate, but a rerun looks a spec up before it takes the gate.
    private readonly Lock _lock = new();

    private string FilePath => Path.Combine(stateDirectory, "launch.json");

    public LaunchSpec? Find(string service)
    {
        lock (_lock)
            return _specs.GetValueOrDefault(service);
    }

    public void Save(IEnumerable<LaunchSpec> specs)
    {
        lock (_lock)
        {
            foreach (var spec in specs)
                _specs[spec.Service] = spec;
            StateFolder.WriteText(FilePath, JsonSerializer.Serialize(_specs.Values.ToList(), ControlJson.Default.ListLaunchSpec));
        }
    }

    private static Dictionary<string, LaunchSpec> Load(string path)
    {
        try
        {
            // A launch.json someone else could have written is refused (StateFolderException), never run.
            var specs = StateFolder.ReadText(path) is { } text ? JsonSerializer.Deserialize(text, ControlJson.Default.ListLaunchSpec) ?? [] : [];
            return specs.ToDictionary(s => s.Service, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            // No file yet, or a damaged one: adopted replicas then run on, and restart only after the next `start`.
            return new Dictionary<string, LaunchSpec>(StringComparer.Ordinal);
        }
    }
}
