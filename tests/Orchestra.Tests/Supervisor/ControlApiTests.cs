using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Errors;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Tests.Supervisor;

/// <summary>The control API over a real Unix domain socket.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ControlApiTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly SupervisorPaths _paths;

    public ControlApiTests()
    {
        _paths = new SupervisorPaths(Path.Combine(_temp.Root, ".orchestra"));
        _paths.EnsureStateDirectory();
    }

    public void Dispose() => _temp.Dispose();

    private sealed class EchoHandler : IControlHandler
    {
        public async Task<ControlEvent> HandleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
        {
            foreach (var service in request.Services)
                await progress(new ControlEvent { Service = service, Message = "starting" });
            // A failure that goes over the wire as a typed record, exit code included.
            var failure = request.Services.Count > 0 ? new ControlFailure($"{request.Services.Count} services", FailureKind.Usage) : null;
            return new ControlEvent { Failure = failure, Message = request.Op.ToString() };
        }
    }

    [Fact]
    public async Task A_request_gets_its_progress_events_then_the_final_one()
    {
        using var stop = new CancellationTokenSource();
        var server = new ControlServer(_paths.Socket, new EchoHandler(), NullLogger.Instance).RunAsync(stop.Token);
        var client = new ControlClient(_paths.Socket);
        await WaitUntilRunningAsync(client);

        var seen = new List<string>();
        var result = await client.SendAsync(new ControlRequest { Op = ControlOp.Start, Services = ["a", "b"] }, e => seen.Add($"{e.Service}:{e.Message}"), CancellationToken.None);

        Assert.Equal(["a:starting", "b:starting"], seen);
        Assert.True(result.Done);
        Assert.Equal(new ControlFailure("2 services", FailureKind.Usage), result.Failure);
        Assert.Equal("Start", result.Message);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_paths.Socket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_paths.StateDirectory));
        Assert.Equal("*\n", File.ReadAllText(Path.Combine(_paths.StateDirectory, ".gitignore")));

        await stop.CancelAsync();
        await server;
        Assert.False(File.Exists(_paths.Socket));
        Assert.False(await client.IsRunningAsync(CancellationToken.None));
    }

    private sealed class ConcurrentHandler : IControlHandler
    {
        public async Task<ControlEvent> HandleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
        {
            // Like the services of one start wave, each reporting from its own task.
            await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => progress(new ControlEvent { Service = $"s{i}", Message = new string('x', 2000) }))));
            return new ControlEvent();
        }
    }

    [Fact]
    public async Task Progress_sent_from_many_tasks_at_once_arrives_whole()
    {
        using var stop = new CancellationTokenSource();
        var server = new ControlServer(_paths.Socket, new ConcurrentHandler(), NullLogger.Instance).RunAsync(stop.Token);
        var client = new ControlClient(_paths.Socket);
        await WaitUntilRunningAsync(client);

        var seen = new List<string>();
        var result = await client.SendAsync(new ControlRequest { Op = ControlOp.Start }, e => seen.Add(e.Service!), CancellationToken.None);

        Assert.True(result.Done);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"s{i}").Order(), seen.Order());
        await stop.CancelAsync();
        await server;
    }

    private sealed class FaultingHandler : IControlHandler
    {
        public Task<ControlEvent> HandleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken) =>
            request.Op == ControlOp.Start ? throw new InvalidOperationException("the engine said no") : Task.FromResult(new ControlEvent { Message = "still here" });
    }

    [Fact]
    public async Task A_request_whose_handling_throws_gets_a_failure_that_says_why_and_the_server_serves_on()
    {
        using var stop = new CancellationTokenSource();
        var server = new ControlServer(_paths.Socket, new FaultingHandler(), NullLogger.Instance).RunAsync(stop.Token);
        var client = new ControlClient(_paths.Socket);
        await WaitUntilRunningAsync(client);

        var failed = await client.SendAsync(new ControlRequest { Op = ControlOp.Start }, _ => { }, CancellationToken.None);
        var next = await client.SendAsync(new ControlRequest { Op = ControlOp.Status }, _ => { }, CancellationToken.None);

        Assert.True(failed.Done);
        Assert.Equal("The supervisor failed to serve the start request: the engine said no", failed.Failure?.Message);
        Assert.Equal("still here", next.Message);
        await stop.CancelAsync();
        await server;
    }

    [Fact]
    public async Task No_supervisor_is_a_clear_exception_not_a_crash()
    {
        var e = await Assert.ThrowsAsync<SupervisorUnavailableException>(() =>
            new ControlClient(_paths.Socket).SendAsync(new ControlRequest { Op = ControlOp.Status }, _ => { }, CancellationToken.None));

        Assert.StartsWith($"No supervisor answers on {_paths.Socket}", e.Message);
    }

    [Fact]
    public void Only_one_holder_of_the_supervisor_lock_at_a_time()
    {
        using (var first = SupervisorLock.TryAcquire(_paths.Lock))
        {
            Assert.NotNull(first);
            Assert.Null(SupervisorLock.TryAcquire(_paths.Lock));
        }
        using var again = SupervisorLock.TryAcquire(_paths.Lock);
        Assert.NotNull(again);
    }

    private static Task WaitUntilRunningAsync(ControlClient client) =>
        Eventually.TrueAsync(() => client.IsRunningAsync(CancellationToken.None), "the control server to answer");
}
