using Orchestra.Errors;

namespace Orchestra.Vendors.Engine;

/// <summary>No Docker engine answers at the endpoint: none is installed, it is not running, or it refuses us.</summary>
public sealed class DockerUnavailableException(DockerEndpoint endpoint, string reason)
    : OrchestraException($"No Docker engine answers at {endpoint} ({reason}); start Docker, or point DOCKER_HOST at a running engine.", FailureKind.Failure)
{
    public DockerEndpoint Endpoint { get; } = endpoint;
    public string Reason { get; } = reason;
}
