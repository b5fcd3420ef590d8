namespace Orchestra.Variables;

/// <summary>How the services reach the vendors, which decides the <c>NAME_HOST</c>, <c>NAME_PORT</c> and <c>${host}</c>/<c>${port}</c> they are told.</summary>
public enum VendorNetwork
{
    /// <summary>The services run on the host: a vendor is at 127.0.0.1, on the host port its first port is published on.</summary>
    Loopback,
    /// <summary>The services run in containers on the vendors' network (<c>start --docker</c>): a vendor is at its name, on its container port.</summary>
    Containers,
}
