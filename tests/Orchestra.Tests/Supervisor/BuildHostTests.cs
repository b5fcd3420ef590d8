using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Cli.BuildHost;
using Orchestra.Launching;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Rerun;

namespace Orchestra.Tests.Supervisor;

/// <summary>
/// The build host's protocol and life, without MSBuild: the host's loop against a prepare the test controls, and the
/// supervisor's side (<see cref="ServiceRebuilder"/>) against real processes that speak the protocol from a shell.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BuildHostTests : IDisposable
{
    private const string Request = """{"service":"api","command":"start","killOutside":true,"rerun":true,"docker":false,"test":true}""";
    private readonly TempWorkspace _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_loop_answers_each_request_after_its_phases_and_a_request_it_cannot_read_with_a_failure()
    {
        var input = new Pipe();
        var output = new LineCollector();
        var asked = new List<BuildHostRequest>();
        var loop = new BuildHostLoop(new StreamReader(input.Reader.AsStream()), output, TimeSpan.FromMinutes(1));
        var running = loop.RunAsync((request, entering, _) =>
        {
            asked.Add(request);
            entering(RerunPhase.Building);
            entering(RerunPhase.Testing);
            return Task.FromResult(new PreparedLaunch([], [request.Service]));
        }, CancellationToken.None);

        await WriteAsync(input, Request + "\nnot json\n" + Request.Replace("\"api\"", "\"web\"", StringComparison.Ordinal) + "\n");
        await Eventually.TrueAsync(() => output.Lines.Count(l => l.StartsWith(BuildHostRequest.AnswerPrefix, StringComparison.Ordinal)) == 3, "three answers");
        await input.Writer.CompleteAsync();
        await running.WithDeadline();

        Assert.Equal([("api", "start", true, true)], asked.Take(1).Select(r => (r.Service, r.Command, r.Test, r.KillOutside)));
        Assert.Equal(["api", "web"], asked.Select(r => r.Service));
        Assert.Equal([
            """##orchestra-rerun {"phase":"building"}""",
            """##orchestra-rerun {"phase":"testing"}""",
            """##orchestra-prepared {"launch":[],"rebuilt":["api"],"errors":[],"failedIn":"building"}""",
            """##orchestra-prepared {"launch":[],"rebuilt":[],"failure":"The build host could not read the request.","errors":["The build host could not read the request."],"failedIn":"building"}""",
            """##orchestra-rerun {"phase":"building"}""",
            """##orchestra-rerun {"phase":"testing"}""",
            """##orchestra-prepared {"launch":[],"rebuilt":["web"],"errors":[],"failedIn":"building"}""",
        ], output.Lines);
    }

    [Fact]
    public async Task The_end_of_the_input_cancels_the_build_in_progress_and_ends_the_loop()
    {
        var input = new Pipe();
        var building = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = new BuildHostLoop(new StreamReader(input.Reader.AsStream()), new LineCollector(), TimeSpan.FromMinutes(1));
        var running = loop.RunAsync(async (_, _, token) =>
        {
            building.SetResult(token);
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("not reached");
        }, CancellationToken.None);
        await WriteAsync(input, Request + "\n");
        var token = await building.Task.WithDeadline();

        await input.Writer.CompleteAsync();

        await running.WithDeadline();
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public async Task The_loop_ends_after_the_idle_timeout_with_no_request()
    {
        var input = new Pipe();
        var loop = new BuildHostLoop(new StreamReader(input.Reader.AsStream()), new LineCollector(), TimeSpan.FromMilliseconds(300));

        await loop.RunAsync((_, _, _) => throw new InvalidOperationException("nothing was asked"), CancellationToken.None).WithDeadline();
    }

    [Fact]
    public async Task The_loop_waits_for_its_input_on_a_thread_of_its_own_not_on_the_thread_pool()
    {
        // An idle host waits in that read for minutes; on the thread pool it held one of the pool's threads (two on a
        // two-core machine) all that time, and the next rerun waited for the pool to add one (bench/RESULTS.md).
        using var input = new PoolNotingReader(Request);
        var output = new LineCollector();
        var loop = new BuildHostLoop(input, output, TimeSpan.FromMinutes(1));
        var running = loop.RunAsync((request, _, _) => Task.FromResult(new PreparedLaunch([], [request.Service])), CancellationToken.None);

        await Eventually.TrueAsync(() => output.Lines.Any(l => l.StartsWith(BuildHostRequest.AnswerPrefix, StringComparison.Ordinal)), "the answer");
        input.End();
        await running.WithDeadline();

        Assert.Equal([false, false], input.ReadOnPool);
    }

    [Fact]
    public async Task A_host_that_dies_before_answering_is_replaced_once_and_the_next_rebuild_reuses_the_new_one()
    {
        // The first host kills itself with SIGKILL on its first request, as a crash in the middle of a build would.
        var (rebuilder, options) = Rebuilder("""if [ -e "$MARK" ]; then answer; else : > "$MARK"; kill -9 $$; fi""");
        await using var _ = rebuilder;
        var phases = new List<RerunPhase>();

        var first = await rebuilder.RebuildAsync("api", options, test: false, phases.Add, CancellationToken.None).WithDeadline();
        var host = rebuilder.HostProcessId;
        var second = await rebuilder.RebuildAsync("api", options, test: false, phases.Add, CancellationToken.None).WithDeadline();

        Assert.True(first.Succeeded, first.Failure);
        Assert.Equal(["api"], first.Rebuilt);
        Assert.True(second.Succeeded, second.Failure);
        Assert.NotNull(host);
        Assert.Equal(host, rebuilder.HostProcessId);
        Assert.Equal([RerunPhase.Building, RerunPhase.Building], phases);
    }

    [Fact]
    public async Task A_host_that_dies_twice_fails_the_rebuild_with_what_it_said()
    {
        var (rebuilder, options) = Rebuilder("echo 'MSBuild crashed' >&2; kill -9 $$");
        await using var _ = rebuilder;

        var failed = await rebuilder.RebuildAsync("api", options, test: false, _ => { }, CancellationToken.None).WithDeadline();

        Assert.False(failed.Succeeded);
        Assert.Equal("The build host ended before it answered (exit code 137: MSBuild crashed).", failed.Failure);
        Assert.Null(rebuilder.HostProcessId);
    }

    [Fact]
    public async Task A_launch_from_another_environment_gets_a_host_of_its_own_and_disposing_ends_the_host()
    {
        var (rebuilder, options) = Rebuilder("answer");
        var hosts = new List<int>();
        await using (rebuilder)
        {
            await rebuilder.RebuildAsync("api", options, test: false, _ => { }, CancellationToken.None).WithDeadline();
            hosts.Add(rebuilder.HostProcessId!.Value);
            var elsewhere = options with { Environment = new Dictionary<string, string>(options.Environment) { ["CONFIGURATION"] = "Release" } };
            await rebuilder.RebuildAsync("api", elsewhere, test: false, _ => { }, CancellationToken.None).WithDeadline();
            hosts.Add(rebuilder.HostProcessId!.Value);
            Assert.NotEqual(hosts[0], hosts[1]);
            Assert.False(Procs.IsLive(hosts[0]), "the host of the other environment still runs");
        }
        Assert.False(Procs.IsLive(hosts[1]), "the host outlived its rebuilder");
    }

    [Fact]
    public async Task The_host_starts_with_its_runtime_settings_named_for_removal_and_a_setting_of_the_shell_is_kept()
    {
        // The host says which tiered PGO setting it started with and what it was told to remove, as its "rebuilt" list.
        var (rebuilder, options) = Rebuilder("""printf '##orchestra-prepared {"launch":[],"rebuilt":["%s","%s"]}\n' "${DOTNET_TieredPGO-unset}" "${ORCHESTRA_BUILDHOST_RUNTIME-unset}" """);
        await using var _ = rebuilder;

        var added = await rebuilder.RebuildAsync("api", options, test: false, _ => { }, CancellationToken.None).WithDeadline();
        var users = options with { Environment = new Dictionary<string, string>(options.Environment) { ["DOTNET_TieredPGO"] = "1" } };
        var kept = await rebuilder.RebuildAsync("api", users, test: false, _ => { }, CancellationToken.None).WithDeadline();

        Assert.Equal(["0", "DOTNET_TieredPGO"], added.Rebuilt);
        Assert.Equal(["1", "unset"], kept.Rebuilt);
    }

    [Fact]
    public void The_host_removes_what_the_supervisor_added_from_its_own_environment_and_nothing_else()
    {
        // Names of this test's own, so that no other test's process sees them come and go.
        const string added = "ORCHESTRA_TEST_ADDED_SETTING", users = "ORCHESTRA_TEST_USERS_SETTING";
        Environment.SetEnvironmentVariable(added, "0");
        Environment.SetEnvironmentVariable(users, "1");
        Environment.SetEnvironmentVariable(BuildHostRuntime.AddedVariable, added);
        try
        {
            BuildHostRuntime.RemoveFromProcess();

            Assert.Null(Environment.GetEnvironmentVariable(added));
            Assert.Null(Environment.GetEnvironmentVariable(BuildHostRuntime.AddedVariable));
            Assert.Equal("1", Environment.GetEnvironmentVariable(users));
        }
        finally
        {
            Environment.SetEnvironmentVariable(users, null);
        }
    }

    /// <summary>A rebuilder whose host is a shell that runs <paramref name="onRequest"/> for each request line; <c>answer</c> answers it.</summary>
    private (ServiceRebuilder, LaunchOptions) Rebuilder(string onRequest)
    {
        var script = $$"""
            answer() { echo '##orchestra-rerun {"phase":"building"}'; echo '##orchestra-prepared {"launch":[],"rebuilt":["api"]}'; }
            while read -r line; do {{onRequest}}; done
            """;
        var options = new LaunchOptions("start", new Dictionary<string, string> { ["MARK"] = _temp.PathOf("crashed-once") });
        return (new ServiceRebuilder(new ProcessCommand("/bin/sh", ["-c", script]), NullLogger.Instance), options);
    }

    private static async Task WriteAsync(Pipe input, string text)
    {
        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));
        await input.Writer.FlushAsync();
    }

    /// <summary>
    /// One line, then the end of the input once the test says so; each read notes whether a thread-pool thread made
    /// it. Only the blocking read is overridden: the asynchronous one is <see cref="TextReader"/>'s, a blocking read on
    /// a pool thread, as that of a process's standard input is.
    /// </summary>
    private sealed class PoolNotingReader(string line) : TextReader
    {
        private readonly ManualResetEventSlim _ended = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<bool> _onPool = new();

        public IReadOnlyList<bool> ReadOnPool => [.. _onPool];

        public void End() => _ended.Set();

        public override string? ReadLine()
        {
            _onPool.Enqueue(Thread.CurrentThread.IsThreadPoolThread);
            if (_onPool.Count == 1)
                return line;
            _ended.Wait();
            return null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _ended.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>The lines written, readable while the loop writes from its own threads.</summary>
    private sealed class LineCollector : TextWriter
    {
        private readonly Lock _lock = new();
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lock)
                    return _text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        public override void Write(char value)
        {
            lock (_lock)
                _text.Append(value);
        }
    }
}
