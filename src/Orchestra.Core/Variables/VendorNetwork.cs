namespace Orchestra.Variables;

/// <summary>
/// How a service reaches the vendors and the other services, which decides the <c>NAME_HOST</c>, <c>NAME_PORT</c>,
/// <c>${host}</c>/<c>${port}</c> and <c>services__NAME__http__0</c> it is told, and where it listens.
/// </summary>
public enum VendorNetwork
{
    /// <summary>The services run on the host: a vendor is at 127.0.0.1, on the host port its first port is published on.</summary>
    Loopback,
    /// <summary>
    /// The services run in containers on the vendors' network (<c>start --docker</c>): a vendor is at its name, on its
    /// container port; another service at its name, on its port; the replica listens on 0.0.0.0 at its service's port,
    /// and its environment leaves out the host's (the image has its own).
    /// </summary>
    Containers,
}
