namespace Orchestra.Configuration;

/// <summary>
/// The durations a setting accepts. Outside them a value is a mistake with a cost: a <c>0s</c> probe interval is a
/// busy loop that burns a core, and a timeout of years makes <c>start</c> and <c>stop</c> wait forever.
/// </summary>
public sealed record DurationRange(TimeSpan Min, TimeSpan Max)
{
    /// <summary>Health <c>interval</c> and <c>timeout</c>: from 100ms to 1h.</summary>
    public static readonly DurationRange Probe = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

    /// <summary>How long a stop waits (<c>stop.timeout</c>, <c>stop.drain</c>, <c>defaults.stop_timeout</c>): from 0s, a kill at once, to 1h.</summary>
    public static readonly DurationRange Stop = new(TimeSpan.Zero, TimeSpan.FromHours(1));

    public bool Contains(TimeSpan duration) => duration >= Min && duration <= Max;

    public override string ToString() => $"from {DurationParser.Format(Min)} to {DurationParser.Format(Max)}";
}
