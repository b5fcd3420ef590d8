using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Tests.Support;

namespace Orchestra.Runtime.Tests.Processes;

public sealed class LinuxProcessHostTests : IDisposable
{
    private readonly RunnerWorkspace _workspace = new();

    [Fact]
    public async Task A_replica_leads_its_own_session_and_process_group()
    {
        var process = _workspace.SpawnScript("api", _workspace.Script("sleeper", "exec sleep 30"));

        var stat = ProcFs.ReadStat(process.Pid);
        Assert.NotNull(stat);
        Assert.Equal(process.Pid, stat.Value.Session);
        Assert.Equal(process.Pid, stat.Value.ProcessGroup);
        Assert.Equal(stat.Value.StartTime, process.StartTime);
        Assert.True(_workspace.Host.IsAlive(process));

        _workspace.Host.SignalGroup(process, StopSignals.Kill);
        Assert.Equal(StopSignals.Kill, (await _workspace.ExitAsync(process)).Signal);
    }

    [Fact]
    public async Task Stdout_and_stderr_land_in_owner_only_capture_files_with_the_environment_and_folder()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_workspace.Root, "svc")).FullName;
        var files = _workspace.Files("api");
        var request = new SpawnRequest("sh", ["-c", "echo \"out $GREETING\"; pwd; echo err >&2; if read line; then exit 5; fi; exit 7"], folder,
            _workspace.Environment("api", extra: new Dictionary<string, string> { ["GREETING"] = "hello world" }), files.RawStdout, files.RawStderr);

        var process = _workspace.Host.Spawn(request);
        var exit = await _workspace.ExitAsync(process);

        Assert.Equal(new ExitStatus(7, null), exit); // stdin is /dev/null: `read` finds nothing
        Assert.Equal($"out hello world\n{folder}\n", File.ReadAllText(files.RawStdout));
        Assert.Equal("err\n", File.ReadAllText(files.RawStderr));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.RawStdout));
    }

    [Fact]
    public async Task Exit_codes_and_signals_are_reported()
    {
        var code = _workspace.SpawnScript("a", _workspace.Script("exit3", "exit 3"));
        var killed = _workspace.SpawnScript("b", _workspace.Script("selfkill", "kill -KILL $$"));

        Assert.Equal(new ExitStatus(3, null), await _workspace.ExitAsync(code));
        var status = await _workspace.ExitAsync(killed);
        Assert.Equal(new ExitStatus(null, StopSignals.Kill), status);
        Assert.False(status.IsSuccess);
        Assert.Equal("killed by SIGKILL", status.ToString());
    }

    [Fact]
    public async Task Exit_codes_are_still_ours_while_System_Diagnostics_Process_reaps_its_own_children()
    {
        // .NET installs a SIGCHLD handler once Process is used (hooks use it); it must not steal our children's status.
        var replica = _workspace.SpawnScript("a", _workspace.Script("slow-exit", "sleep 0.3\nexit 4"));
        using (var other = System.Diagnostics.Process.Start("sh", ["-c", "exit 0"]))
            await other.WaitForExitAsync().WithDeadline();

        Assert.Equal(new ExitStatus(4, null), await _workspace.ExitAsync(replica));
    }

    [Fact]
    public void A_missing_program_or_folder_is_a_spawn_error_not_a_crash()
    {
        var files = _workspace.Files("api");
        var env = _workspace.Environment("api");

        var missing = Assert.Throws<SpawnException>(() =>
            _workspace.Host.Spawn(new SpawnRequest("no-such-program-xyz", [], _workspace.Root, env, files.RawStdout, files.RawStderr)));
        Assert.Contains("no-such-program-xyz", missing.Message);
        Assert.Throws<SpawnException>(() =>
            _workspace.Host.Spawn(new SpawnRequest("sh", [], Path.Combine(_workspace.Root, "nowhere"), env, files.RawStdout, files.RawStderr)));
        Assert.Throws<SpawnException>(() =>
            _workspace.Host.Spawn(new SpawnRequest("", [], _workspace.Root, env, files.RawStdout, files.RawStderr)));
    }

    [Fact]
    public async Task The_members_of_several_replicas_come_from_one_look_and_match_each_replicas_own()
    {
        // Each replica is a shell with a child of its own; the impostor names a live pid with another start time.
        var first = _workspace.SpawnScript("api", _workspace.Script("first", "sleep 30 & wait"));
        var second = _workspace.SpawnScript("web", _workspace.Script("second", "sleep 30 & wait"));
        var impostor = first with { StartTime = first.StartTime + 1 };
        var apart = await Eventually.ValueAsync(() => _workspace.Host.GroupMembers(first) is { Count: 2 } one && _workspace.Host.GroupMembers(second) is { Count: 2 } other
            ? one.Concat(other).ToList() : null, "each replica and its child");

        Assert.Equal(apart.OrderBy(p => p.Pid), _workspace.Host.GroupMembers([first, second]).OrderBy(p => p.Pid));
        Assert.Equal(_workspace.Host.GroupMembers(second).OrderBy(p => p.Pid), _workspace.Host.GroupMembers([impostor, second]).OrderBy(p => p.Pid));
        Assert.Empty(_workspace.Host.GroupMembers([impostor]));
        Assert.Empty(_workspace.Host.GroupMembers(Array.Empty<ProcessIdentity>()));

        foreach (var process in new[] { first, second })
        {
            _workspace.Host.SignalGroup(process, StopSignals.Kill);
            await _workspace.ExitAsync(process);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)] // a stale record: its process died and the pid went to a newer session leader
    public async Task An_identity_whose_start_time_does_not_match_is_neither_alive_nor_signalled(int shift)
    {
        var process = _workspace.SpawnScript("api", _workspace.Script("sleeper", "exec sleep 30"));
        var impostor = process with { StartTime = (ulong)((long)process.StartTime + shift) };
        Assert.Empty(_workspace.Host.GroupMembers(impostor));

        Assert.False(_workspace.Host.IsAlive(impostor));
        _workspace.Host.SignalGroup(impostor, StopSignals.Kill);
        var stopper = new ProcessGroupStopper(_workspace.Host, TimeProvider.System, TimeSpan.FromMilliseconds(10));
        Assert.Equal(StopOutcome.NotRunning, await stopper.StopAsync(impostor, StopSignals.Kill, TimeSpan.Zero, CancellationToken.None));

        Assert.Null(_workspace.Host.CheckExit(process));
        Assert.True(Procs.IsLive(process.Pid));
        Assert.Equal(StopOutcome.Graceful, await stopper.StopAsync(process, StopSignals.Term, TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("SIGINT", 2)]
    [InlineData("SIGKILL", 9)]
    [InlineData("bogus", 15)]
    [InlineData(null, 15)]
    public void Stop_signal_names_map_to_numbers(string? name, int expected) =>
        Assert.Equal(expected, StopSignals.Parse(name));

    [Fact]
    public void A_stat_line_with_spaces_and_parentheses_in_the_command_name_parses()
    {
        var stat = ProcFs.ParseStat(42, "42 (we ird) (name)) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10");
        Assert.Equal(new ProcStat(42, 'S', 1, 42, 42, 987654), stat);
        Assert.Null(ProcFs.ParseStat(42, "garbage"));
    }

    public void Dispose() => _workspace.Dispose();
}
