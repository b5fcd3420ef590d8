namespace Orchestra.Supervisor;

/// <summary>
/// The one-supervisor-per-workspace lock: an exclusive lock on <c>.orchestra/supervisor.lock</c>, held for the
/// supervisor's lifetime. The operating system drops it when the process dies, even by <c>kill -9</c>.
/// </summary>
public sealed class SupervisorLock : IDisposable
{
    private readonly FileStream _file;

    private SupervisorLock(FileStream file) => _file = file;

    /// <summary>The lock, or null when another process holds it.</summary>
    public static SupervisorLock? TryAcquire(string path)
    {
        try
        {
            // FileShare.None takes an advisory flock(LOCK_EX | LOCK_NB) on Unix.
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            var file = new FileStream(path, options);
            file.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            file.Write(pid);
            file.Flush();
            return new SupervisorLock(file);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
