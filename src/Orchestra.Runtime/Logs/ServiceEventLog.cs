using System.Text;
using Orchestra.State;

namespace Orchestra.Runtime.Logs;

/// <summary>
/// Writes what Orchestra itself has to say about a service (a replica that exited and is restarted, one that
/// crashed or turned unhealthy, a rerun, a build that failed) into the service's event log,
/// <c>.orchestra/logs/svc.orchestra.log</c>, in the replicas' line format: <c>logs</c> merges it with their output,
/// so a developer following the logs sees why a replica restarted or why the new code is not running. Problems are
/// written as stderr. A few lines per event, so it is not rotated. Lines that cannot be written (a full disk, an
/// immutable folder) are kept and written before the next event's, so a fault delays them but neither loses them nor
/// fails whoever reported the event.
/// </summary>
public sealed class ServiceEventLog(string logDirectory, TimeProvider time)
{
    private readonly Lock _lock = new();
    // Per service, formatted lines a fault kept from being written.
    private readonly Dictionary<string, string> _unwritten = [];

    public void Write(string service, LogStream stream, IEnumerable<string> lines)
    {
        var now = time.GetUtcNow();
        var text = string.Concat(lines.Select(line => LogLineFormat.Format(now, stream, line) + "\n"));
        lock (_lock)
        {
            text = _unwritten.GetValueOrDefault(service, "") + text;
            try
            {
                StateFolder.EnsureSubfolder(logDirectory);
                var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
                // Events quote build errors and exits, which may hold secrets: owner-only, like the replicas' logs.
                if (!OperatingSystem.IsWindows())
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var file = new FileStream(ReplicaLogFiles.EventsOf(logDirectory, service).Log, options);
                file.Write(Encoding.UTF8.GetBytes(text));
                _unwritten.Remove(service);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or StateFolderException)
            {
                _unwritten[service] = text;
            }
        }
    }
}
