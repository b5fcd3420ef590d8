using System.Text.Json;
using Orchestra.State;

namespace Orchestra.Build.Fingerprints;

/// <summary>
/// JSON files of one kind in the workspace's <c>.orchestra/</c> folder, one per service. A file that is missing or
/// does not parse reads as nothing: the state is a cache and the worst case is doing the work again.
/// </summary>
public sealed class StateStore<T>(string stateDirectory, string kind) where T : class
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    private string Folder => Path.Combine(stateDirectory, kind);

    public T? Read(string service)
    {
        try
        {
            using var stream = StateFolder.OpenRead(PathOf(service));
            return JsonSerializer.Deserialize<T>(stream, Options);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes through a temporary file, so that a reader never sees half an entry.</summary>
    public void Write(string service, T value)
    {
        StateFolder.Create(stateDirectory);
        StateFolder.EnsureSubfolder(Folder);
        StateFolder.WriteText(PathOf(service), JsonSerializer.Serialize(value, Options));
    }

    public void Delete(string service)
    {
        if (File.Exists(PathOf(service)))
            File.Delete(PathOf(service));
    }

    private string PathOf(string service) => Path.Combine(Folder, service + ".json");
}
