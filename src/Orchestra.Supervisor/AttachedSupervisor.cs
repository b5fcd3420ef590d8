using System.Runtime.Versioning;
using Orchestra.Supervisor.Control;

namespace Orchestra.Supervisor;

/// <summary>
/// A supervisor running inside this process (<c>start --attach</c>): requests go to its fleet directly, not through
/// its socket. Disposing stops the fleet as a signal would, and waits for the supervisor's end.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class AttachedSupervisor(IControlHandler fleet, Task running, CancellationTokenSource stop) : IControlClient, IAsyncDisposable
{
    /// <summary>Completes when the supervisor has ended: asked to by a stop, a signal (Ctrl-C), or a failed start that left nothing running.</summary>
    public Task Completion => running;

    public Task<ControlEvent> SendAsync(ControlRequest request, Action<ControlEvent> progress, CancellationToken cancellationToken) =>
        fleet.HandleAsync(request, e =>
        {
            progress(e);
            return Task.CompletedTask;
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await running;
        stop.Dispose();
    }
}
