using System.Diagnostics;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, point 2: what <c>.orchestra/</c> holds decides which commands run, so Orchestra uses it only when the
/// user running it could alone have written it. The hostile user is <c>nobody</c>, in a workspace anyone may write.
/// </summary>
public sealed class StateFolderTrustTests : IAsyncLifetime
{
    private const int Nobody = 65534;
    private readonly TestFleet _fleet = new("trust");
    private readonly string _marker = Path.Combine(Path.GetTempPath(), $"orchestra-pwned-{Guid.NewGuid():N}");

    public Task InitializeAsync()
    {
        _fleet.PythonService("web", "import time\nprint('web up', flush=True)\nwhile True:\n    time.sleep(1)\n", "health: { log: \"web up\" }\n");
        // A workspace other users may write into, as in a shared folder.
        File.SetUnixFileMode(_fleet.Root, (UnixFileMode)0b111_111_111);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        File.Delete(_marker);
        await _fleet.DisposeAsync();
    }

    /// <summary>A launch.json and a state.json that would have a supervisor run <c>touch marker</c> at once, as a replica waiting to restart.</summary>
    private void PlantCommand(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "launch.json"),
            $$"""[{"service":"web","command":["/bin/sh","-c","touch {{_marker}}; sleep 300"],"builtFiles":[]}]""");
        File.WriteAllText(Path.Combine(folder, "state.json"),
            """{"version":1,"replicas":[{"service":"web","replica":0,"pid":0,"startTime":0,"state":"Restarting"}]}""");
    }

    [Fact]
    public async Task A_state_folder_another_user_made_is_refused_and_nothing_of_it_runs()
    {
        PlantCommand(_fleet.StateDirectory);
        GiveToNobody(_fleet.StateDirectory);

        foreach (var command in new[] { "ps", "start", "logs", "stop", "build" })
        {
            var result = await _fleet.RunAsync(command);
            Assert.True(result.ExitCode == 1, $"{command}: {result}");
            Assert.Equal($"error: Orchestra will not use the state folder {_fleet.StateDirectory}: it belongs to nobody, not to you (root), so anyone could have put commands in it; remove it, or run Orchestra as its owner.\n", result.Error);
        }
        Assert.Null(_fleet.SupervisorPid);
        Assert.False(File.Exists(_marker), "the planted command ran");
    }

    [Fact]
    public async Task A_planted_launch_file_in_the_users_own_folder_is_refused()
    {
        await _fleet.RunOkAsync("start");
        await _fleet.RunOkAsync("stop");
        var planted = Path.Combine(_fleet.Root, "planted");
        PlantCommand(planted);
        GiveToNobody(planted);
        // What a rename over the real file leaves behind: a file of another owner inside the user's folder.
        File.Move(Path.Combine(planted, "launch.json"), Path.Combine(_fleet.StateDirectory, "launch.json"), overwrite: true);
        File.Move(Path.Combine(planted, "state.json"), Path.Combine(_fleet.StateDirectory, "state.json"), overwrite: true);

        var ps = await _fleet.RunAsync("ps");
        var start = await _fleet.RunAsync("start");

        Assert.True(ps.ExitCode == 1, ps.ToString());
        Assert.Contains($"Orchestra will not use the file {_fleet.StateDirectory}/state.json: it belongs to nobody, not to you (root)", ps.Error);
        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.False(File.Exists(_marker), "the planted command ran");
    }

    [Fact]
    public async Task A_state_folder_others_can_write_is_refused_with_the_chmod_that_fixes_it()
    {
        await _fleet.RunOkAsync("start");
        await _fleet.RunOkAsync("stop");
        File.SetUnixFileMode(_fleet.StateDirectory, (UnixFileMode)0b111_111_111);

        var ps = await _fleet.RunAsync("ps");

        Assert.True(ps.ExitCode == 1, ps.ToString());
        Assert.Equal($"error: Orchestra will not use the state folder {_fleet.StateDirectory}: it can be written by other users (mode 777), so anyone could have put commands in it; run 'chmod go-w {_fleet.StateDirectory}', or remove it.\n", ps.Error);
        File.SetUnixFileMode(_fleet.StateDirectory, (UnixFileMode)0b111_101_101);
        await _fleet.RunOkAsync("ps");
        // An older Orchestra's 0755 is narrowed to the owner by the next command that writes.
        await _fleet.RunOkAsync("start");
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(_fleet.StateDirectory));
    }

    [Fact]
    public async Task Everything_orchestra_writes_is_the_owners_alone_and_stays_so_when_the_folder_is_made_again()
    {
        _fleet.PythonService("crashy", "import sys\nprint('crashy up', flush=True)\nsys.exit(3)\n", "health: { log: \"crashy up\" }\n");
        await _fleet.RunAsync("start", "crashy");
        // An exit writes the service's event log.
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(_fleet.StateDirectory, "logs", "crashy.orchestra.log")), "the event log of the exit");
        await _fleet.RunOkAsync("start", "web");
        Assert.Empty(PrivateFiles.Loose(_fleet.StateDirectory));

        await _fleet.RunOkAsync("stop");
        Directory.Delete(_fleet.StateDirectory, recursive: true);
        await _fleet.RunOkAsync("start", "web");

        Assert.Empty(PrivateFiles.Loose(_fleet.StateDirectory));
        Assert.True(File.Exists(_fleet.LogFile("web")));
    }

    [Fact]
    public async Task A_symbolic_link_is_followed_when_it_is_the_users_and_refused_when_it_is_not()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_fleet.Root, "elsewhere")).FullName;
        File.CreateSymbolicLink(_fleet.StateDirectory, elsewhere);
        await _fleet.RunOkAsync("start");
        Assert.True(File.Exists(Path.Combine(elsewhere, "state.json")));
        await _fleet.RunOkAsync("stop");

        File.Delete(_fleet.StateDirectory);
        AsNobody("ln", "-s", elsewhere, _fleet.StateDirectory);
        var ps = await _fleet.RunAsync("ps");

        Assert.True(ps.ExitCode == 1, ps.ToString());
        Assert.Equal($"error: Orchestra will not use the state folder {_fleet.StateDirectory}: it is a symbolic link that belongs to nobody, not to you; remove it.\n", ps.Error);
    }

    /// <summary>Runs a command as user nobody.</summary>
    private static void AsNobody(string program, params string[] arguments) =>
        Run("setpriv", ["--reuid", $"{Nobody}", "--regid", $"{Nobody}", "--clear-groups", program, .. arguments]);

    private static void GiveToNobody(string path) => Run("chown", "-R", $"{Nobody}:{Nobody}", path);

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments))!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
