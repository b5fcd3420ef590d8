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
        var reading = ReadAsync(requests.Writer, inputEnded);
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

    private async Task ReadAsync(ChannelWriter<string> requests, CancellationTokenSource inputEnded)
    {
        try
        {
            while (await input.ReadLineAsync(inputEnded.Token) is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                    await requests.WriteAsync(line, inputEnded.Token);
            }
        }
        catch (OperationCanceledException) when (inputEnded.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // A broken input is an ended one.
        }
        finally
        {
            requests.TryComplete();
            await inputEnded.CancelAsync();
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
