namespace Orchestra.Runtime.Restarts;

/// <summary>
/// The restart policy's numbers (SPEC §5): exponential backoff from <see cref="Initial"/> doubling to
/// <see cref="Maximum"/>, the count reset after <see cref="ResetAfter"/> of uptime, and <c>crashed</c> after
/// <see cref="MaxFailures"/> failures in a row. Tests shrink the durations; nothing else differs.
/// </summary>
public sealed record RestartBackoff(TimeSpan Initial, TimeSpan Maximum, TimeSpan ResetAfter, int MaxFailures)
{
    public static readonly RestartBackoff Standard = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), 10);

    /// <summary>The delay before the <paramref name="attempt"/>th restart in a row (1-based).</summary>
    public TimeSpan DelayFor(int attempt)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var delay = Initial * Math.Pow(2, exponent);
        return delay < Maximum ? delay : Maximum;
    }

    /// <summary>
    /// The same policy on a shorter (or longer) clock: every duration scaled so that the first delay is
    /// <paramref name="initial"/>, the number of failures unchanged. Lets end-to-end tests run a whole crash loop in seconds.
    /// </summary>
    public RestartBackoff StartingAt(TimeSpan initial)
    {
        var factor = initial / Initial;
        return this with { Initial = initial, Maximum = Maximum * factor, ResetAfter = ResetAfter * factor };
    }
}
