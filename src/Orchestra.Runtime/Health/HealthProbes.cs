using Orchestra.Configuration;

namespace Orchestra.Runtime.Health;

/// <summary>Builds the probe a service's <c>health:</c> asks for.</summary>
public static class HealthProbes
{
    /// <summary>Ready as soon as it is started.</summary>
    public static readonly IHealthProbe None = new AlwaysReady();

    /// <summary>
    /// The probe for <paramref name="health"/> on <paramref name="port"/>. A log probe is returned as such so the
    /// caller can feed it lines. Without a port, tcp and http have nothing to reach and fall back to none.
    /// </summary>
    public static IHealthProbe Create(HealthConfig health, int? port) => (health.Kind, port) switch
    {
        (HealthKind.Log, _) => LogProbe.For(health.Target ?? ""),
        (HealthKind.Http, { } p) => new HttpProbe(p, health.Target ?? "/"),
        (HealthKind.Tcp or HealthKind.Default, { } p) => new TcpProbe(p),
        _ => None,
    };

    private sealed class AlwaysReady : IHealthProbe
    {
        public bool WatchesLiveness => false;

        public Task<bool> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(true);
    }
}
