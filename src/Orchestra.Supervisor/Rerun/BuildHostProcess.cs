using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using CliWrap;
using Orchestra.Launching;
using Orchestra.Supervisor.Control;
using Orchestra.Variables;

namespace Orchestra.Supervisor.Rerun;

/// <summary>
/// One build host process (the tool's hidden <c>__buildhost</c> command) seen from the supervisor: started in the
/// environment of a launch (with <see cref="BuildHostRuntime"/>'s settings for its runtime alone), asked one <see cref="BuildHostRequest"/> at a time over its standard input, its answer and
/// progress read from its standard output. Closing its input ends it; so does the supervisor's death, since the
/// kernel then closes that input.
/// </summary>
internal sealed class BuildHostProcess : IAsyncDisposable
{
    /// <summary>How long a host told to end may take before it is killed.</summary>
    private static readonly TimeSpan EndGrace = TimeSpan.FromSeconds(5);

    private readonly Channel<string> _requests = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _kill = new();
    private readonly Task<CommandResult> _run;
    private readonly Lock _lock = new();
    private Pending? _pending;
    private string? _lastOutput, _lastError;

    private BuildHostProcess(ProcessCommand command, IReadOnlyDictionary<string, string> environment)
    {
        Environment = environment;
        var task = Cli.Wrap(command.Program)
            .WithArguments(command.Arguments)
            .WithEnvironmentVariables(Exactly(BuildHostRuntime.Environment(environment)))
            .WithStandardInputPipe(PipeSource.Create(WriteRequestsAsync))
            .WithStandardOutputPipe(PipeTarget.ToDelegate(OnOutput, Encoding.UTF8))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => _lastError = line, Encoding.UTF8))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(_kill.Token);
        ProcessId = task.ProcessId;
        _run = task.Task;
    }

    /// <summary>The environment the host runs in: MSBuild's, for every build it makes.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public int ProcessId { get; }

    /// <summary>Whether the process has ended (told to, idle, or killed).</summary>
    public bool HasEnded => _run.IsCompleted;

    /// <summary>Starts a host for <paramref name="command"/> in exactly <paramref name="environment"/>.</summary>
    public static BuildHostProcess Start(ProcessCommand command, IReadOnlyDictionary<string, string> environment) => new(command, environment);

    /// <summary>
    /// The host's answer to <paramref name="request"/>, or null when it ended before answering (a crash, a kill, an
    /// idle end that crossed the request); <see cref="WhyEnded"/> then says what it last said.
    /// </summary>
    public async Task<PreparedLaunch?> AskAsync(BuildHostRequest request, Action<RerunPhase> entering, CancellationToken cancellationToken)
    {
        var pending = new Pending(entering);
        lock (_lock)
            _pending = pending;
        try
        {
            if (!_requests.Writer.TryWrite(JsonSerializer.Serialize(request, ControlJson.Default.BuildHostRequest)))
                return null;
            await Task.WhenAny(pending.Answer.Task, _run).WaitAsync(cancellationToken);
            // Standard output is read to its end before the run completes: an answer given before the exit is here.
            return pending.Answer.Task.IsCompleted ? await pending.Answer.Task : null;
        }
        finally
        {
            lock (_lock)
                _pending = null;
        }
    }

    /// <summary>What the host last said before it ended, for the user.</summary>
    public string WhyEnded()
    {
        var exit = _run.IsCompletedSuccessfully ? $"exit code {_run.Result.ExitCode}" : "killed";
        var said = new[] { _lastError, _lastOutput }.Select(l => l?.Trim()).FirstOrDefault(l => !string.IsNullOrEmpty(l));
        return said is null ? exit : $"{exit}: {said}";
    }

    /// <summary>Ends the host: its input closes, and it is killed if it has not ended within a few seconds.</summary>
    public ValueTask DisposeAsync() => EndAsync(EndGrace);

    /// <summary>Kills the host at once: a build the supervisor no longer waits for.</summary>
    public ValueTask KillAsync() => EndAsync(TimeSpan.Zero);

    private async ValueTask EndAsync(TimeSpan grace)
    {
        _requests.Writer.TryComplete();
        try
        {
            await _run.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            await _kill.CancelAsync();
        }
        catch (OperationCanceledException)
        {
            // Killed already.
        }
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // Killed, as asked.
        }
        _kill.Dispose();
    }

    private async Task WriteRequestsAsync(Stream input, CancellationToken cancellationToken)
    {
        await foreach (var line in _requests.Reader.ReadAllAsync(cancellationToken))
        {
            await input.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
            await input.FlushAsync(cancellationToken);
        }
    }

    private void OnOutput(string line)
    {
        Pending? pending;
        lock (_lock)
            pending = _pending;
        if (line.StartsWith(BuildHostRequest.AnswerPrefix, StringComparison.Ordinal))
            pending?.Answer.TrySetResult(Answer(line));
        else if (ServiceRebuilder.Progress(line) is { } progress)
            pending?.Entering(progress.Phase);
        else
            _lastOutput = line;
    }

    private static PreparedLaunch Answer(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line.AsSpan(BuildHostRequest.AnswerPrefix.Length), ControlJson.Default.PreparedLaunch)
                ?? PreparedLaunch.Failed("The build host gave an empty answer.", []);
        }
        catch (JsonException e)
        {
            return PreparedLaunch.Failed($"The build host's answer could not be read: {e.Message}", []);
        }
    }

    /// <summary>CliWrap adds to the supervisor's own environment: a variable the launching shell did not have is removed.</summary>
    private static Dictionary<string, string?> Exactly(IReadOnlyDictionary<string, string> environment)
    {
        var exactly = ProcessEnvironment.Read().Keys.ToDictionary(name => name, _ => (string?)null);
        foreach (var (name, value) in environment)
            exactly[name] = value;
        return exactly;
    }

    private sealed class Pending(Action<RerunPhase> entering)
    {
        public TaskCompletionSource<PreparedLaunch> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Action<RerunPhase> Entering { get; } = entering;
    }
}
