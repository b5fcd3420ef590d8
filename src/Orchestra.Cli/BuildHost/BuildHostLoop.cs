using System.Text.Json;
using System.Threading.Channels;
using Orchestra.Launching;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli.BuildHost;

/// <summary>Prepares one rebuild: builds and plans the service, telling each phase as it begins.</summary>
internal delegate Task<PreparedLaunch> PrepareRequest(BuildHostRequest request, Action<RerunPhase> entering, CancellationToken cancellationToken);

/// <summary>
/// The build host's conversation with its supervisor (<see cref="BuildHostRequest"/>): requests as lines on
/// <paramref name="input"/>, served one at a time, each answered on <paramref name="output"/>. It ends when the input
/// ends, which is how it never outlives the supervisor: the supervisor closes it when the fleet stops, and the kernel
/// closes it when the supervisor dies, also in the middle of a build, which is then cancelled. It also ends after
/// <paramref name="idle"/> with no request, giving back MSBuild's memory; the supervisor starts a new host next time.
/// </summary>
internal sealed class BuildHostLoop(TextReader input, TextWriter output, TimeSpan idle)
{
    public async Task RunAsync(PrepareRequest prepare, CancellationToken cancellationToken)
    {
        // Cancelled when the input ends: the build in progress is for a supervisor that is gone.
        using var inputEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var requests = Channel.CreateUnbounded<string>();
        // A thread of its own, not the thread pool's: a read of standard input blocks the thread that waits for it
        // (its async form is a blocking read on a pool thread), all the while the host is idle. On two cores that was
        // one of the pool's two threads; MSBuild's EndBuild then blocked the other while waiting for work it queues on
        // the pool, which ran only once the pool's starvation check added a thread, 0.5 to 1 s later: a rerun after
        // idling took that much longer than one back to back (issue 12, bench/RESULTS.md).
        var reading = Task.Factory.StartNew(() => Read(requests.Writer, inputEnded), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            while (await NextAsync(requests.Reader, inputEnded.Token) is { } line)
            {
                if (Parse(line) is not { } request)
                {
                    Answer(PreparedLaunch.Failed("The build host could not read the request.", []));
                    continue;
                }
                Answer(await prepare(request, Entering, inputEnded.Token));
            }
        }
        catch (OperationCanceledException) when (inputEnded.IsCancellationRequested)
        {
            // The input ended (or the host was told to end) while a build ran: nobody is left to answer.
        }
        finally
        {
            await inputEnded.CancelAsync();
            // The reader has ended, unless the host ends for being idle: a read of a process's standard input cannot
            // be cancelled on Linux, so that one ends with the process, which is about to exit.
            if (reading.IsCompleted)
                await reading;
        }
    }

    /// <summary>The next request, or null when the input ended or none came for the idle timeout.</summary>
    private async Task<string?> NextAsync(ChannelReader<string> requests, CancellationToken inputEnded)
    {
        using var idleOver = CancellationTokenSource.CreateLinkedTokenSource(inputEnded);
        idleOver.CancelAfter(idle);
        try
        {
            return await requests.WaitToReadAsync(idleOver.Token) && requests.TryRead(out var line) ? line : null;
        }
        catch (OperationCanceledException) when (idleOver.IsCancellationRequested)
        {
            return null;
        }
    }

    private void Read(ChannelWriter<string> requests, CancellationTokenSource inputEnded)
    {
        try
        {
            while (!inputEnded.IsCancellationRequested && input.ReadLine() is { } line)
            {
                // Unbounded: a write never waits.
                if (!string.IsNullOrWhiteSpace(line))
                    requests.TryWrite(line);
            }
        }
        catch (IOException)
        {
            // A broken input is an ended one.
        }
        finally
        {
            requests.TryComplete();
            try
            {
                inputEnded.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The loop ended first, for being idle, and disposed of it: nobody is left to tell.
            }
        }
    }

    private static BuildHostRequest? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ControlJson.Default.BuildHostRequest);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void Entering(RerunPhase phase) =>
        Say(RerunProgress.Prefix + JsonSerializer.Serialize(new RerunProgress(phase), ControlJson.Default.RerunProgress));

    private void Answer(PreparedLaunch prepared) =>
        Say(BuildHostRequest.AnswerPrefix + JsonSerializer.Serialize(prepared, ControlJson.Default.PreparedLaunch));

    private void Say(string line)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
