using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>Issue 4, acceptance 5 and 6: copies of a service running outside Orchestra, found and stopped (strangers on its port: <see cref="PortDecoyTests"/>).</summary>
public sealed class OutsideCopyTests(MinimalApi api) : IClassFixture<MinimalApi>
{
    [Fact]
    public async Task A_copy_started_by_hand_with_dotnet_run_is_found_and_stopped()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        var folder = api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        var byHand = fleet.StartOutside("dotnet", ["run", "--no-build"], folder, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        });
        using var http = new HttpClient();
        var outside = await Eventually.ValueAsync(async () =>
        {
            try
            {
                return await http.GetStringAsync($"http://127.0.0.1:{port}/hello");
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, "the hand-started copy to answer");
        Assert.StartsWith("hello from outside pid ", outside);
        var appPid = int.Parse(outside["hello from outside pid ".Length..], System.Globalization.CultureInfo.InvariantCulture);

        var start = await fleet.RunOkAsync("start", "--no-build");

        // Both the `dotnet run` process and the app it launched are named, and both are gone.
        Assert.Contains($"api: stopped api running outside orchestra: pid {byHand.Id} dotnet run --no-build", start.Error);
        Assert.Contains($"api: stopped api running outside orchestra: pid {appPid} ", start.Error);
        await Eventually.TrueAsync(() => byHand.HasExited, "dotnet run to end");
        Assert.False(Procs.IsLive(appPid), "the app dotnet run launched survived");
        // Orchestra's own replica holds the port now.
        Assert.StartsWith("hello from api pid ", await http.GetStringAsync($"http://127.0.0.1:{port}/hello"));
    }

    [Fact]
    public async Task With_no_kill_outside_start_refuses_and_leaves_the_copy_running()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        var folder = api.CopyInto(fleet, "api", $"port: {port}\nhealth: {{ http: /health }}\n");
        var apphost = Path.Combine(folder, "bin", "Debug", "net10.0", "api");
        var byHand = fleet.StartOutside(apphost, [], folder, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the hand-started apphost to answer");

        var start = await fleet.RunAsync("start", "--no-build", "--no-kill-outside");

        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.Contains($"'api' already runs outside orchestra: pid {byHand.Id} {apphost}", start.Error);
        Assert.False(byHand.HasExited, "--no-kill-outside stopped the copy anyway");
    }

    [Fact]
    public async Task A_command_services_own_program_started_by_hand_is_stopped_and_other_users_of_its_interpreter_are_not()
    {
        await using var fleet = new TestFleet();
        var idle = "#!/usr/bin/python3\nimport time\nprint('idle up', flush=True)\nwhile True:\n    time.sleep(1)\n";
        fleet.Service("idle", "command: [\"./idle.py\"]\nhealth: { log: \"idle up\" }\n", ("idle.py", idle));
        var script = fleet.PathOf("idle/idle.py");
        File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute);
        // And a service run by the interpreter itself: python3 is not a program of its own.
        fleet.PythonService("interpreted", "import time\nprint('interpreted up')\nwhile True:\n    time.sleep(1)\n", "health: { log: \"interpreted up\" }\n");
        // The service's own program, run by hand from elsewhere, and a bystander that merely runs the same interpreter.
        var copy = fleet.StartOutside(script, [], fleet.Root);
        var bystander = fleet.StartOutside(TestFleet.Python, ["-c", "import time; time.sleep(600)"], fleet.Root);
        await Eventually.TrueAsync(() => Procs.CommandLine(copy.Id).Contains(script, StringComparison.Ordinal), "the copy to run its script");

        var start = await fleet.RunOkAsync("start");

        Assert.Contains($"idle: stopped idle running outside orchestra: pid {copy.Id} {TestFleet.Python} {script}", start.Error);
        await Eventually.TrueAsync(() => copy.HasExited, "the hand-started copy to end");
        Assert.False(bystander.HasExited, "start stopped an unrelated python3 process");
        Assert.DoesNotContain($"pid {bystander.Id} ", start.Error);
    }
}
