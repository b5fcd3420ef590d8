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
}
