namespace Orchestra.Runtime.Health;

/// <summary>One readiness check of a replica (SPEC §5). A probe answers false rather than throwing when the replica is not ready.</summary>
public interface IHealthProbe
{
    Task<bool> CheckAsync(CancellationToken cancellationToken);
}
