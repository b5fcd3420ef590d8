using System.Text;
using Orchestra.State;

namespace Orchestra.Runtime.Logs;

/// <summary>
/// Writes what Orchestra itself has to say about a service (a replica that exited and is restarted, one that
/// crashed or turned unhealthy, a rerun, a build that failed) into the service's event log,
/// <c>.orchestra/logs/svc.orchestra.log</c>, in the replicas' line format: <c>logs</c> merges it with their output,
/// so a developer following the logs sees why a replica restarted or why the new code is not running. Problems are
/// written as stderr. A few lines per event, so it is not rotated.
/// </summary>
public sealed class ServiceEventLog(string logDirectory, TimeProvider time)
{
    private readonly Lock _lock = new();

    public void Write(string service, LogStream stream, IEnumerable<string> lines)
    {
        var now = time.GetUtcNow();
        var text = string.Concat(lines.Select(line => LogLineFormat.Format(now, stream, line) + "\n"));
        lock (_lock)
        {
            StateFolder.EnsureSubfolder(logDirectory);
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
            // Events quote build errors and exits, which may hold secrets: owner-only, like the replicas' logs.
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var file = new FileStream(ReplicaLogFiles.EventsOf(logDirectory, service).Log, options);
            file.Write(Encoding.UTF8.GetBytes(text));
        }
    }
}
