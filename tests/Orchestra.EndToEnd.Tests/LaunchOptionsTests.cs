using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 9, point 3: a launch carries the options and the shell environment of the command that made it, and what
/// the supervisor does later for that service (a rerun on change, a scale) honours them.
/// </summary>
public sealed class LaunchOptionsTests
{
    [Fact]
    public async Task A_restart_from_another_shell_runs_the_replica_with_what_env_for_restart_prints_there()
    {
        await using var fleet = new TestFleet();
        fleet.Write("orchestra.yml", "name: e2e\ncommands:\n  start: { env: { MODE: started } }\n  restart: { env: { MODE: restarted } }\n");
        fleet.PythonService("show", """
            import os, time
            print(f"FOO={os.environ.get('FOO')} MODE={os.environ.get('MODE')}", flush=True)
            print("up", flush=True)
            while True:
                time.sleep(1)
            """, "health: { log: \"up\" }\n");
        fleet.Shell["FOO"] = "1";
        await fleet.RunOkAsync("start");
        Assert.Equal("FOO=1 MODE=started", await FirstLineOfRunAsync(fleet, "show", run: 1));

        // Another terminal: the supervisor, started from the first one, runs on with FOO=1 in its own environment.
        fleet.Shell["FOO"] = "2";
        var printed = (await fleet.RunOkAsync("env", "show", "--for", "restart", "--all", "--export")).Out;
        await fleet.RunOkAsync("restart");

        Assert.Equal($"FOO={Exported(printed, "FOO")} MODE={Exported(printed, "MODE")}", await FirstLineOfRunAsync(fleet, "show", run: 2));
        Assert.Equal("FOO=2 MODE=restarted", await FirstLineOfRunAsync(fleet, "show", run: 2));
    }

    [Fact]
    public async Task A_replica_is_told_the_vendor_host_port_that_env_prints_and_a_restart_keeps_it()
    {
        await using var fleet = new TestFleet();
        fleet.Write("orchestra.yml", "name: e2e\nvendors:\n  postgres: { image: postgres:16, ports: ['5432'], connection_string: 'Host=${host};Port=${port}' }\n");
        fleet.PythonService("show", """
            import os, time
            print(os.environ.get('ConnectionStrings__postgres'), flush=True)
            print("up", flush=True)
            while True:
                time.sleep(1)
            """, "health: { log: \"up\" }\n");

        await fleet.RunOkAsync("start", "--no-vendors");
        var printed = (await fleet.RunOkAsync("env", "show", "--export")).Out;
        await fleet.RunOkAsync("restart");

        var told = await FirstLineOfRunAsync(fleet, "show", run: 1);
        Assert.Matches(@"^Host=127\.0\.0\.1;Port=\d+$", told);
        Assert.Equal($"'{told}'", Exported(printed, "ConnectionStrings__postgres"));
        Assert.Equal(told, await FirstLineOfRunAsync(fleet, "show", run: 2));
    }

    [Fact]
    public async Task A_rerun_keeps_no_kill_outside_and_names_a_copy_started_by_hand_instead_of_stopping_it()
    {
        await using var fleet = new TestFleet();
        var script = IdleService(fleet, "watch: { include: [\"trigger.txt\"] }\n");
        await fleet.RunOkAsync("start", "--no-kill-outside");
        await fleet.WatchingAsync("idle");
        var copy = await StartCopyAsync(fleet, script);

        fleet.Write("idle/trigger.txt", "go");

        var rerun = await Eventually.ValueAsync(async () =>
            Regex.Match((await fleet.RunOkAsync("logs", "idle")).Out, @"(?m)^idle\.orchestra . (rerun .*)$") is { Success: true } line ? line.Groups[1].Value : null,
            "the rerun to say how it went");
        Assert.Contains($"'idle' already runs outside orchestra: pid {copy.Id} {TestFleet.Python} {script}", rerun);
        Assert.False(copy.HasExited, "the rerun stopped the copy although the fleet was started with --no-kill-outside");
    }

    [Fact]
    public async Task A_scale_keeps_no_kill_outside_and_names_a_copy_started_by_hand_instead_of_stopping_it()
    {
        await using var fleet = new TestFleet();
        var script = IdleService(fleet);
        await fleet.RunOkAsync("start", "--no-kill-outside");
        var copy = await StartCopyAsync(fleet, script);

        var scale = await fleet.RunAsync("scale", "idle=2");

        Assert.True(scale.ExitCode == 1, scale.ToString());
        Assert.Contains($"'idle' already runs outside orchestra: pid {copy.Id} {TestFleet.Python} {script}", scale.Error);
        Assert.False(copy.HasExited, "scale stopped the copy although the fleet was started with --no-kill-outside");
    }

    /// <summary>A command service whose program is its own script, so that a copy of it run by hand is found.</summary>
    private static string IdleService(TestFleet fleet, string moreYaml = "")
    {
        fleet.Service("idle", $"command: [\"./idle.py\"]\nhealth: {{ log: \"idle up\" }}\n{moreYaml}",
            ("idle.py", "#!/usr/bin/python3\nimport time\nprint('idle up', flush=True)\nwhile True:\n    time.sleep(1)\n"));
        var script = fleet.PathOf("idle/idle.py");
        File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute);
        return script;
    }

    private static async Task<System.Diagnostics.Process> StartCopyAsync(TestFleet fleet, string script)
    {
        var copy = fleet.StartOutside(script, [], fleet.Root);
        await Eventually.TrueAsync(() => Procs.CommandLine(copy.Id).Contains(script, StringComparison.Ordinal), "the copy to run its script");
        return copy;
    }

    /// <summary>The first line the <paramref name="run"/>th process of the replica printed, once it printed "up".</summary>
    private static Task<string> FirstLineOfRunAsync(TestFleet fleet, string service, int run) =>
        Eventually.ValueAsync(() =>
        {
            var lines = fleet.LogLines(service);
            var ups = lines.Select((line, index) => (line, index)).Where(l => l.line == "up").ToList();
            return ups.Count >= run && ups[run - 1].index > 0 ? lines[ups[run - 1].index - 1] : null;
        }, $"run {run} of {service} to be up");

    private static string Exported(string exports, string name) =>
        Regex.Match(exports, $"(?m)^export {name}=(.*)$") is { Success: true } match ? match.Groups[1].Value : $"<{name} not exported>";
}
