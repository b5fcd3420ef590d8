using Orchestra.Runtime.Processes;

namespace Orchestra.Runtime.Tests.Support;

/// <summary>What /proc says about a process, independent of the product's host abstraction.</summary>
public static class Procs
{
    /// <summary>True when /proc lists the pid as a live (non-zombie) process.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits until a child exits and returns its status.</summary>
    public static Task<ExitStatus> ExitAsync(IProcessHost host, ProcessIdentity process) =>
        Eventually.ValueAsync(() => host.CheckExit(process), $"{process} to exit");
}
