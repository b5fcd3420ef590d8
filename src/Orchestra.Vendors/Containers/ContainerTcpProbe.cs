using System.Net;
using Docker.DotNet;
using Orchestra.Runtime.Health;
using Orchestra.Vendors.Engine;

namespace Orchestra.Vendors.Containers;

/// <summary>
/// Ready when the container accepts a TCP connection on <paramref name="containerPort"/>, at its own address on its
/// network. Not at the published port: Docker's port proxy accepts a connection there before the program inside
/// listens, so it would pass at once. (Linux, where the host reaches the containers' networks.)
/// </summary>
public sealed class ContainerTcpProbe(DockerEngine engine, Func<string?> containerId, int containerPort) : IHealthProbe
{
    private (string Id, IPAddress Address)? _known;

    public bool WatchesLiveness => true;

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        if (containerId() is not { } id || await AddressAsync(id, cancellationToken) is not { } address)
            return false;
        if (await TcpProbe.ConnectsAsync(address, containerPort, cancellationToken))
            return true;
        // Started again, it may have another address.
        _known = null;
        return false;
    }

    private async Task<IPAddress?> AddressAsync(string id, CancellationToken cancellationToken)
    {
        if (_known is { } known && known.Id == id)
            return known.Address;
        try
        {
            var networks = (await engine.Client.Containers.InspectContainerAsync(id, cancellationToken)).NetworkSettings?.Networks;
            var address = networks?.Values.Select(n => n.IPAddress).FirstOrDefault(a => !string.IsNullOrEmpty(a));
            if (address is null || !IPAddress.TryParse(address, out var parsed))
                return null;
            _known = (id, parsed);
            return parsed;
        }
        catch (DockerApiException)
        {
            return null;
        }
    }
}
