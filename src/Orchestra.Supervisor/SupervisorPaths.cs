using Orchestra.Discovery;

namespace Orchestra.Supervisor;

/// <summary>Where the supervisor of a workspace keeps its socket, lock, pid and own log, all inside <c>.orchestra/</c>.</summary>
public sealed record SupervisorPaths(string StateDirectory)
{
    public static SupervisorPaths For(Workspace workspace) => new(workspace.StateDirectory);

    public string Socket => Path.Combine(StateDirectory, "supervisor.sock");
    public string Lock => Path.Combine(StateDirectory, "supervisor.lock");
    public string Log => Path.Combine(StateDirectory, "supervisor.log");

    /// <summary>
    /// Creates <c>.orchestra/</c> readable by the owner only (the control socket inside it must be too), with a
    /// <c>.gitignore</c> of <c>*</c> so that state never reaches a commit.
    /// </summary>
    /// <exception cref="StateDirectoryException">The folder cannot be created or written.</exception>
    public void EnsureStateDirectory()
    {
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(StateDirectory);
            else
                Directory.CreateDirectory(StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var gitignore = Path.Combine(StateDirectory, ".gitignore");
            if (!File.Exists(gitignore))
                File.WriteAllText(gitignore, "*\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = File.Exists(StateDirectory) ? "a file has that name"
                : e is UnauthorizedAccessException ? "permission denied"
                : e.Message.TrimEnd('.');
            throw new StateDirectoryException($"Orchestra cannot use its state folder {StateDirectory} ({why}).");
        }
    }
}

/// <summary>The workspace's <c>.orchestra/</c> folder cannot be created or written.</summary>
public sealed class StateDirectoryException(string message) : Exception(message);
