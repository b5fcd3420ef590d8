using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orchestra.State;

namespace Orchestra.Build.Fingerprints;

/// <summary>
/// JSON files of one kind in the workspace's <c>.orchestra/</c> folder, one per service. A file that is missing or
/// does not parse reads as nothing: the state is a cache and the worst case is doing the work again.
/// </summary>
/// <param name="type">The source-generated serialization of <typeparamref name="T"/> (<see cref="BuildStateJson"/>).</param>
public sealed class StateStore<T>(string stateDirectory, string kind, JsonTypeInfo<T> type) where T : class
{
    private bool _folderReady;

    private string Folder => Path.Combine(stateDirectory, kind);

    public T? Read(string service)
    {
        try
        {
            using var stream = StateFolder.OpenRead(PathOf(service));
            return JsonSerializer.Deserialize(stream, type);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes through a temporary file, so that a reader never sees half an entry.</summary>
    public void Write(string service, T value)
    {
        // Checked once per store: a build writes an entry per service, and the folder does not change under it.
        if (!_folderReady)
        {
            StateFolder.Create(stateDirectory);
            StateFolder.EnsureSubfolder(Folder);
            _folderReady = true;
        }
        StateFolder.WriteText(PathOf(service), JsonSerializer.Serialize(value, type));
    }


    public void Delete(string service)
    {
        if (File.Exists(PathOf(service)))
            File.Delete(PathOf(service));
    }

    private string PathOf(string service) => Path.Combine(Folder, service + ".json");
}
