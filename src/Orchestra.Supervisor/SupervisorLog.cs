namespace Orchestra.Supervisor;

/// <summary>
/// The supervisor's own log (<c>.orchestra/supervisor.log</c>, or the terminal of <c>start --attach</c>): one line per
/// event, stamped with the injected clock, written whole from any thread.
/// </summary>
public sealed class SupervisorLog(TextWriter writer, TimeProvider time)
{
    private readonly TextWriter _writer = TextWriter.Synchronized(writer);

    public void Write(string message) => _writer.WriteLine($"{time.GetUtcNow():O} {message}");
}
