using System.Text.Json;

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
            using var stream = File.OpenRead(PathOf(service));
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
        EnsureStateDirectory(stateDirectory);
        Directory.CreateDirectory(Folder);
        var path = PathOf(service);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(value, Options));
        File.Move(temporary, path, overwrite: true);
    }

    public void Delete(string service)
    {
        if (File.Exists(PathOf(service)))
            File.Delete(PathOf(service));
    }

    private string PathOf(string service) => Path.Combine(Folder, service + ".json");

    /// <summary>Creates <c>.orchestra/</c> with a <c>.gitignore</c> of <c>*</c> (SPEC §1) the first time.</summary>
    private static void EnsureStateDirectory(string directory)
    {
        if (Directory.Exists(directory))
            return;
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ".gitignore"), "*\n");
    }
}
