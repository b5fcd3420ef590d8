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
            Directory.CreateDirectory(logDirectory);
            File.AppendAllText(ReplicaLogFiles.EventsOf(logDirectory, service).Log, text);
        }
    }
}
