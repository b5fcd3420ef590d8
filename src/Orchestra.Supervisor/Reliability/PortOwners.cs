using System.Globalization;
using Orchestra.Runtime.Processes;

namespace Orchestra.Supervisor.Reliability;

/// <summary>
/// Which processes listen on a TCP port, from <c>/proc/net/tcp</c>, <c>/proc/net/tcp6</c> and the socket links
/// under <c>/proc/PID/fd</c>. Linux only; elsewhere it finds nothing. Sockets of other users' processes are not
/// visible without root, which is enough: Orchestra only ever stops the user's own processes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class PortOwners
{
    private const string ListenState = "0A";

    /// <summary>The pids of processes holding a listening socket on <paramref name="port"/>.</summary>
    public static IReadOnlyList<int> ListeningOn(int port)
    {
        var inodes = ListeningInodes(port);
        if (inodes.Count == 0)
            return [];
        var owners = new List<int>();
        foreach (var pid in ProcFs.Pids())
        {
            if (HoldsAny(pid, inodes))
                owners.Add(pid);
        }
        return owners;
    }

    private static HashSet<string> ListeningInodes(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        // The port as the tables write it after an address (":157D "): a machine with many connections has tables of
        // 100,000 lines and more (TIME_WAIT), and splitting each of them made one look take seconds under load.
        var portField = string.Create(CultureInfo.InvariantCulture, $":{port:X4} ");
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            List<string> lines;
            try
            {
                lines = File.ReadLines(table).Skip(1).Where(line => line.Contains(portField, StringComparison.Ordinal)).ToList();
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var line in lines)
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != ListenState)
                    continue;
                var local = fields[1];
                var colon = local.LastIndexOf(':');
                if (colon > 0 && int.TryParse(local[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var localPort) && localPort == port)
                    inodes.Add(fields[9]);
            }
        }
        return inodes;
    }

    private static bool HoldsAny(int pid, HashSet<string> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                    return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process ended, or is not ours to look into.
        }
        return false;
    }
}
