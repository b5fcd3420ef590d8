using Orchestra.Discovery;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// The workspace as the supervisor last read it. Requests read it again (a service.yml may have changed); every part
/// of the fleet sees the same one.
/// </summary>
public sealed class LoadedWorkspace(string configPath)
{
    private Workspace _current = WorkspaceLoader.Load(configPath);

    public Workspace Current => Volatile.Read(ref _current);

    /// <summary>Reads the configuration again; throws <see cref="Configuration.ConfigurationException"/> when it no longer loads.</summary>
    public Workspace Reload() => Use(WorkspaceLoader.Load(configPath));

    /// <summary>Puts a workspace read elsewhere in force.</summary>
    public Workspace Use(Workspace workspace)
    {
        Volatile.Write(ref _current, workspace);
        return workspace;
    }

    /// <summary>The configuration as it is on disk now, without putting it in force.</summary>
    public Workspace Peek() => WorkspaceLoader.Load(configPath);
}
