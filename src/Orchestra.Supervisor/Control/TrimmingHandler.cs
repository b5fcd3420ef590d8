namespace Orchestra.Supervisor.Control;

/// <summary>Handles each request as <paramref name="inner"/> does, then counts it as activity for the idle trim.</summary>
public sealed class TrimmingHandler(IControlHandler inner, IdleMemoryTrim trim) : IControlHandler
{
    public async Task<ControlEvent> HandleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.HandleAsync(request, progress, cancellationToken);
        }
        finally
        {
            trim.Activity();
        }
    }
}
