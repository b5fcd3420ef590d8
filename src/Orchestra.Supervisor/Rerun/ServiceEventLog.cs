using Orchestra.Runtime.Logs;

namespace Orchestra.Supervisor.Rerun;

/// <summary>
/// Writes what Orchestra itself has to say about a service (a rerun, a build that failed) into the service's event
/// log, <c>.orchestra/logs/svc.orchestra.log</c>, in the replicas' line format: <c>logs</c> merges it with their
/// output, so a developer following the logs sees why the new code is not running. Errors are written as stderr.
/// A few lines per rerun, so it is not rotated.
/// </summary>
internal sealed class ServiceEventLog(string logDirectory, TimeProvider time)
{
    private readonly Lock _lock = new();

    public void Write(string service, LogStream stream, IEnumerable<string> lines)
    {
        var now = time.GetUtcNow();
        var text = string.Concat(lines.Select(line => LogLineFormat.Format(now, stream, line) + "\n"));
        lock (_lock)
        {
            Directory.CreateDirectory(logDirectory);
            File.AppendAllText(ReplicaLogFiles.EventsOf(logDirectory, service).Log, text);
        }
    }
}
