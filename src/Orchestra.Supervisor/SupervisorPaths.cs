using Orchestra.Discovery;
using Orchestra.State;

namespace Orchestra.Supervisor;

/// <summary>Where the supervisor of a workspace keeps its socket, lock, pid and own log, all inside <c>.orchestra/</c>.</summary>
public sealed record SupervisorPaths(string StateDirectory)
{
    public static SupervisorPaths For(Workspace workspace) => new(workspace.StateDirectory);

    /// <summary>The paths of the workspace whose orchestra.yml is <paramref name="configPath"/>, before it is loaded.</summary>
    public static SupervisorPaths ForConfig(string configPath) => new(Workspace.StateDirectoryIn(Path.GetDirectoryName(configPath)!));

    public string Socket => Path.Combine(StateDirectory, "supervisor.sock");
    public string Lock => Path.Combine(StateDirectory, "supervisor.lock");
    public string Log => Path.Combine(StateDirectory, "supervisor.log");

    /// <summary>Creates <c>.orchestra/</c> (see <see cref="StateFolder"/>), or checks that the one there is safe to use.</summary>
    /// <exception cref="StateFolderException">The folder cannot be created, or it is not the user's alone.</exception>
    public void EnsureStateDirectory() => StateFolder.Create(StateDirectory);
}
