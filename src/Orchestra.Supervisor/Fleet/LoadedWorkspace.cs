using Orchestra.Discovery;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// The workspace as the supervisor last read it. Requests read it again (a service.yml may have changed) unless it
/// was read after the requesting command read it; every part of the fleet sees the same one.
/// </summary>
/// <param name="loaded">The workspace as the supervisor read it at its start.</param>
/// <param name="load">How it is read again; <see cref="WorkspaceLoader.Load"/> but in tests that count the reads.</param>
public sealed class LoadedWorkspace(Workspace loaded, Func<string, Workspace>? load = null)
{
    private readonly Func<string, Workspace> _load = load ?? WorkspaceLoader.Load;
    private Workspace _current = loaded;

    public Workspace Current => Volatile.Read(ref _current);

    /// <summary>Reads the configuration again; throws <see cref="Configuration.ConfigurationException"/> when it no longer loads.</summary>
    public Workspace Reload() => Use(_load(Current.Config.FilePath));

    /// <summary>
    /// The configuration at least as new as a command's that read it at <paramref name="commandReadAt"/> (null: it
    /// did not say): the one in force when it was read after that, as when the command just started this supervisor,
    /// else read again. Saves a start the third read of the same files.
    /// </summary>
    public Workspace ReloadUnlessNewer(DateTimeOffset? commandReadAt) =>
        commandReadAt is { } read && Current.ReadAt >= read ? Current : Reload();

    /// <summary>Puts a workspace read elsewhere in force.</summary>
    public Workspace Use(Workspace workspace)
    {
        Volatile.Write(ref _current, workspace);
        return workspace;
    }

    /// <summary>The configuration as it is on disk now, without putting it in force.</summary>
    public Workspace Peek() => _load(Current.Config.FilePath);
}
