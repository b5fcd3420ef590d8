using Microsoft.Extensions.Logging;

namespace Orchestra.Supervisor;

/// <summary>
/// The supervisor's own log (<c>.orchestra/supervisor.log</c>, or the terminal of <c>start --attach</c>): an
/// <see cref="ILogger"/> that writes each entry as one line stamped by the injected clock, so tests with a fake clock read
/// what they set. The messages themselves are in <see cref="SupervisorLogMessages"/>. It is the logger itself, not a
/// provider behind a LoggerFactory: the factory would load dependency injection, options and diagnostics assemblies
/// into a process that runs for hours, to route one category to one writer.
/// </summary>
public sealed class SupervisorLog : ILogger, IDisposable
{
    private readonly TextWriter _writer;
    private readonly TimeProvider _time;

    public SupervisorLog(TextWriter writer, TimeProvider time)
    {
        _writer = TextWriter.Synchronized(writer);
        _time = time;
    }

    /// <summary>What the supervisor's parts write to.</summary>
    public ILogger Logger => this;

    IDisposable? ILogger.BeginScope<TState>(TState state) => null;

    bool ILogger.IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    void ILogger.Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _writer.WriteLine($"{_time.GetUtcNow():O} {formatter(state, exception)}");

    /// <summary>Flushes what was written; the writer itself belongs to the caller.</summary>
    public void Dispose() => _writer.Flush();
}

/// <summary>Every line the supervisor writes about itself, typed and in one place (source-generated, no boxing).</summary>
public static partial class SupervisorLogMessages
{
    [LoggerMessage(Level = LogLevel.Information, Message = "supervisor {Other} runs this workspace; this one exits.")]
    public static partial void AnotherSupervisorRuns(this ILogger log, int other);

    [LoggerMessage(Level = LogLevel.Information, Message = "another supervisor holds {Lock}; this one exits.")]
    public static partial void LockHeldElsewhere(this ILogger log, string @lock);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Note}")]
    public static partial void Recovered(this ILogger log, string note);

    [LoggerMessage(Level = LogLevel.Information, Message = "supervisor {Pid} serves {Socket}")]
    public static partial void Serving(this ILogger log, int pid, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the state folder was deleted and another supervisor took it; this one leaves the fleet to it.")]
    public static partial void StateFolderTaken(this ILogger log);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the state folder was deleted; supervisor {Pid} made it again and serves {Socket}")]
    public static partial void StateFolderMadeAgain(this ILogger log, int pid, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot accept a command's connection ({Fault}); retrying")]
    public static partial void AcceptFailing(this ILogger log, string fault);

    [LoggerMessage(Level = LogLevel.Information, Message = "accepting commands' connections again")]
    public static partial void AcceptingAgain(this ILogger log);

    [LoggerMessage(Level = LogLevel.Information, Message = "supervisor {Pid} ends")]
    public static partial void Ending(this ILogger log, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Signal}: stopping the fleet (again to kill it)")]
    public static partial void StoppingOnSignal(this ILogger log, string signal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Signal} again: killed the fleet")]
    public static partial void KilledOnSignal(this ILogger log, string signal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Fault}; the fleet runs on and it is tried again with each change")]
    public static partial void StateFileFault(this ILogger log, string fault);

    [LoggerMessage(Level = LogLevel.Information, Message = "the state file is written again")]
    public static partial void StateFileWritten(this ILogger log);

    [LoggerMessage(Level = LogLevel.Information, Message = "the start failed and nothing else runs; the supervisor ends")]
    public static partial void IdleAfterFailedStart(this ILogger log);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}.{Replica}: cannot collect its output, retrying; it waits in the raw capture files: {Fault}")]
    public static partial void LogCollectionFault(this ILogger log, string service, int replica, string fault);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}.{Replica}: collecting its output works again")]
    public static partial void LogCollectionRecovered(this ILogger log, string service, int replica);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: its files cannot be watched, so it is not rerun on change: {Reason}")]
    public static partial void NotWatched(this ILogger log, string service, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: the rerun failed: {Reason}")]
    public static partial void RerunFailed(this ILogger log, string service, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: {Files} changed")]
    public static partial void FilesChanged(this ILogger log, string service, string files);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: built in {Seconds:0.00}s")]
    public static partial void Built(this ILogger log, string service, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: not rerun, {What}: {Errors}")]
    public static partial void RerunStopped(this ILogger log, string service, string what, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: {Summary}")]
    public static partial void Rerun(this ILogger log, string service, string summary);

    [LoggerMessage(Level = LogLevel.Information, Message = "build host started (pid {Pid})")]
    public static partial void BuildHostStarted(this ILogger log, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: the build host (pid {Pid}) ended before it answered ({Reason}); {Next}")]
    public static partial void BuildHostDied(this ILogger log, string service, int pid, string reason, string next);
}
