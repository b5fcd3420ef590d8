using Orchestra.Errors;

namespace Orchestra.Vendors.Containers;

/// <summary>A container (or network) has the name Orchestra would give one of its own, but not this workspace's label: it is left alone.</summary>
public sealed class ForeignContainerException(string name, string id, string kind = "container")
    : OrchestraException($"A {kind} named '{name}' ({id}) exists and is not this workspace's; Orchestra leaves it alone: remove or rename it{(kind == "container" ? ", or rename the vendor" : ", or rename the workspace")}.", FailureKind.Failure)
{
    public string Name { get; } = name;
    public string Id { get; } = id;
}

/// <summary>An image is neither on the engine nor can it be pulled.</summary>
public sealed class ImageUnavailableException(string image, string reason)
    : OrchestraException($"The image '{image}' is not on the Docker engine and cannot be pulled ({reason}).", FailureKind.Failure)
{
    public string Image { get; } = image;
    public string Reason { get; } = reason;
}

/// <summary>A container could not be started; <see cref="TakenPort"/> is set when a host port it publishes is taken.</summary>
public sealed class ContainerStartException(string name, string reason, int? takenPort)
    : OrchestraException(takenPort is { } port
        ? $"Container '{name}' cannot publish 127.0.0.1:{port}: {reason}."
        : $"Container '{name}' could not be started: {reason}", FailureKind.Failure)
{
    public string Name { get; } = name;
    public string Reason { get; } = reason;
    public int? TakenPort { get; } = takenPort;
}
