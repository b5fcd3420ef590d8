namespace Orchestra.Supervisor.Control;

/// <summary>What the supervisor does for a request; <paramref name="progress"/> sends events to the client as work goes on.</summary>
public interface IControlHandler
{
    Task<ControlEvent> HandleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken);
}
