using Orchestra.Supervisor.Control;

namespace Orchestra.Supervisor.Fleet;

/// <summary>The services and vendors a request works on: what the fleet gate keeps other requests of the same ones off.</summary>
internal static class RequestScope
{
    /// <param name="vendors">Every vendor of the workspace: a vendors command that names none works on them all.</param>
    public static IReadOnlyCollection<string> Of(ControlRequest request, IEnumerable<string> vendors) => request.Op switch
    {
        ControlOp.Shutdown => [],
        ControlOp.Scale => [.. request.Scales.Keys],
        ControlOp.Start => [.. request.Services, .. request.Vendors],
        ControlOp.VendorsUp or ControlOp.VendorsDown => request.Vendors.Count > 0 ? request.Vendors : [.. vendors],
        _ => request.Services,
    };
}
