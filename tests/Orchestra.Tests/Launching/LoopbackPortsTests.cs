using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestra.Launching;

namespace Orchestra.Tests.Launching;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void Chosen_ports_are_free_and_below_the_range_the_kernel_hands_outgoing_connections()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], CultureInfo.InvariantCulture);

        var ports = Enumerable.Range(0, 20).Select(_ => LoopbackPorts.Next()).ToList();

        Assert.All(ports, port => Assert.InRange(port, 15000, ephemeralStart - 1));
        Assert.All(ports, port =>
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        });
    }

    [Fact]
    public void A_port_something_listens_on_is_not_free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, LoopbackPorts.Next());
        listener.Start();
        Assert.False(LoopbackPorts.IsFree(((IPEndPoint)listener.LocalEndpoint).Port));
    }
}
