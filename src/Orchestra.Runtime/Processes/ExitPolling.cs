namespace Orchestra.Runtime.Processes;

/// <summary>Waiting for a process to end by asking again and again: what a host does where the OS cannot tell it.</summary>
public static class ExitPolling
{
    /// <summary>Completes with the status once <see cref="IProcessHost.CheckExit"/> gives one, checking every <paramref name="interval"/>.</summary>
    public static async Task<ExitStatus> WaitAsync(IProcessHost host, ProcessIdentity process, TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (host.CheckExit(process) is { } status)
                return status;
            await Task.Delay(interval, time, cancellationToken);
        }
    }
}
