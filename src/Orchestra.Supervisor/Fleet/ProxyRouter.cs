using Orchestra.Runtime.State;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// Keeps each service's proxy pointed at its healthy replicas: a subscriber of the replica table, so that a replica
/// turning healthy, unhealthy, draining or gone changes the routes at once, from wherever the change came.
/// </summary>
internal sealed class ProxyRouter
{
    private readonly ReplicaTable _table;
    private readonly ServiceProxies _proxies;
    private readonly LoadedWorkspace _workspace;

    public ProxyRouter(ReplicaTable table, ServiceProxies proxies, LoadedWorkspace workspace)
    {
        (_table, _proxies, _workspace) = (table, proxies, workspace);
        table.Changed += change =>
        {
            if (change is not ReplicaLogFaultChanged)
                Route(change.Service);
        };
    }

    /// <summary>Points the service's proxy at its ready replicas now (after its proxy opened, say).</summary>
    public void Route(string service)
    {
        // A replica recorded on the public port itself (adopted from a time without the proxy) is never a route: the
        // proxy would forward to itself.
        var publicPort = _workspace.Current.FindService(service)?.Port;
        var ready = _table.Snapshot(service)
            .Where(v => !v.Draining && v.Record is { State: ReplicaState.Healthy, Port: { } port } && port != publicPort)
            .Select(v => v.Record.Port!.Value)
            .ToList();
        _proxies.Route(service, ready);
    }
}
