namespace Orchestra.Runtime.Processes;

/// <summary>How a replica's process ended: an exit code, a signal, or unknown (an adopted process is not our child, so its status cannot be collected).</summary>
public sealed record ExitStatus(int? Code, int? Signal)
{
    /// <summary>The status of a process that was not our child: it is gone, and how it ended cannot be known.</summary>
    public static readonly ExitStatus Unknown = new(null, null);

    /// <summary>True only for a known exit code of 0; an unknown status counts as a failure for the restart policy.</summary>
    public bool IsSuccess => Code == 0;

    public override string ToString() => (Code, Signal) switch
    {
        ({ } code, _) => $"exit code {code}",
        (_, { } signal) => $"killed by {StopSignals.NameOf(signal)}",
        _ => "exited (status unknown)",
    };
}
