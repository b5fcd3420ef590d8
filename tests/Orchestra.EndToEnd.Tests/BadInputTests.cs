using System.Diagnostics;
using Orchestra.Cli;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>Issue 4, acceptance 9: an unknown service, a state folder that cannot be used, a corrupt state file.</summary>
public sealed class BadInputTests
{
    private static readonly string Idle = PythonIdle.Printing("idle up");

    /// <summary>Serves HTTP on $PORT, so a supervisor that lost its records can probe it again.</summary>
    private const string Server = """
        import http.server, os
        http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=int(os.environ["PORT"]), bind="127.0.0.1")
        """;

    [Fact]
    public async Task Starting_an_unknown_service_is_a_usage_error_that_names_the_known_ones()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("api", Idle).PythonService("web", Idle);

        var start = await fleet.RunAsync("start", "nosuch");

        Assert.True(start.ExitCode == 2, start.ToString());
        Assert.Equal("error: There is no service named 'nosuch' (known services: api, web).", start.Error.Trim());
        Assert.Null(fleet.SupervisorPid);
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    [Fact]
    public async Task A_start_where_one_service_does_not_build_names_that_service_alone()
    {
        await using var fleet = new TestFleet();
        // Restore stays off the network: the one package b needs exists nowhere, so its restore fails with NU1101.
        fleet.Write("NuGet.config", TestProjectFiles.LocalFolderOnly);
        Directory.CreateDirectory(fleet.PathOf("packages"));
        fleet.Service("a", "", ("a.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
            </Project>
            """), ("Program.cs", "System.Console.WriteLine(\"a ran\");\n"));
        fleet.Service("b", "", ("b.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><PackageReference Include="Orchestra.No.Such.Package" Version="1.0.0" /></ItemGroup>
            </Project>
            """), ("Program.cs", "System.Console.WriteLine(\"b ran\");\n"));

        var start = await fleet.RunAsync("start");

        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.Contains("error: b did not build: its packages could not be restored, so nothing was started.", start.Error);
        Assert.DoesNotContain("a did not build", start.Error);
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    [Fact]
    public async Task A_file_where_the_state_folder_belongs_fails_start_with_one_sentence()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("api", Idle);
        fleet.Write(".orchestra", "not a folder\n");

        var start = await fleet.RunAsync("start");

        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.Equal($"error: Orchestra cannot use its state folder {fleet.StateDirectory} (a file has that name).", start.Error.Trim());
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
        // The commands that only read find nothing to show rather than failing.
        Assert.Contains("Nothing runs in this workspace.", (await fleet.RunOkAsync("ps")).Out);
        await fleet.RunOkAsync("logs");
        File.Delete(fleet.StateDirectory);
    }

    /// <summary>
    /// Root may open any folder, and these tests run as root here, so a chmod 000 alone denies nothing: the CLI then
    /// runs as a separate process under the unprivileged user <c>nobody</c> (setpriv), for whom the denial is real.
    /// </summary>
    [Fact]
    public async Task A_state_folder_the_user_may_not_open_fails_start_with_one_sentence()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("api", Idle);
        Directory.CreateDirectory(fleet.StateDirectory, UnixFileMode.None);
        // The user's own folder, which they may not open (another user's would be refused before any attempt).
        if (Environment.UserName == "root")
        {
            using var chown = Process.Start("chown", ["nobody", fleet.StateDirectory]);
            await chown.WaitForExitAsync();
        }
        var home = Directory.CreateDirectory(fleet.PathOf("home"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        var (code, error) = Environment.UserName == "root"
            ? await RunAsNobodyAsync(fleet, home.FullName, "start")
            : await InProcessAsync(fleet, "start");

        Assert.True(code == 1, $"exit {code}: {error}");
        Assert.Equal($"error: Orchestra cannot use its state folder {fleet.StateDirectory} (permission denied).", error.Trim());
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
        File.SetUnixFileMode(fleet.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task A_corrupt_state_file_is_set_aside_and_the_running_replicas_are_found_again()
    {
        await using var fleet = new TestFleet();
        var port = Ports.Free();
        fleet.PythonService("web", Server, $"port: {port}\n");
        await fleet.RunOkAsync("start");
        var pid = (await fleet.ReplicaAsync("web")).Pid!.Value;
        var supervisor = fleet.SupervisorPid ?? throw new InvalidOperationException("no supervisor runs");
        Procs.Signal(supervisor, Procs.SigKill);
        await Eventually.TrueAsync(() => !Procs.IsLive(supervisor), "the supervisor to die");
        File.WriteAllText(Path.Combine(fleet.StateDirectory, "state.json"), "{ \"replicas\": [ {\"service\": ");

        var first = await fleet.RunOkAsync("ps");
        var ps = await fleet.PsAsync();

        Assert.StartsWith($"note: The state file {Path.Combine(fleet.StateDirectory, "state.json")} could not be read", first.Error);

        var web = Assert.Single(ps);
        Assert.Equal(pid, web.Pid);
        Assert.True(File.Exists(Path.Combine(fleet.StateDirectory, "state.json.corrupt")));
        var healthy = await Eventually.ValueAsync(async () => await fleet.ReplicaAsync("web") is { State: "healthy" } r ? r : null, "the recovered replica to be healthy");
        Assert.Equal(pid, healthy.Pid);

        await fleet.RunOkAsync("stop");
        Assert.False(Procs.IsLive(pid), "the recovered replica survived stop");
        Assert.Empty(Procs.LiveInWorkspace(fleet.Root));
    }

    [Fact]
    public async Task A_corrupt_state_file_with_nothing_running_does_not_stop_start()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("api", Idle, "health: { log: \"idle up\" }\n");
        fleet.Write(".orchestra/state.json", "\0\0garbage");

        await fleet.RunOkAsync("start");

        Assert.Equal("healthy", (await fleet.ReplicaAsync("api")).State);
        Assert.True(File.Exists(Path.Combine(fleet.StateDirectory, "state.json.corrupt")));
    }

    private static async Task<(int Code, string Error)> InProcessAsync(TestFleet fleet, params string[] args)
    {
        var result = await fleet.RunAsync(args);
        return (result.ExitCode, result.Error);
    }

    /// <summary>This test assembly's CLI as its own process, as the unprivileged user nobody.</summary>
    private static async Task<(int Code, string Error)> RunAsNobodyAsync(TestFleet fleet, string home, params string[] args)
    {
        var info = new ProcessStartInfo("setpriv")
        {
            WorkingDirectory = fleet.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", Environment.ProcessPath!, typeof(OrchestraCli).Assembly.Location, .. args])
            info.ArgumentList.Add(argument);
        info.Environment["HOME"] = home;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        await output;
        return (process.ExitCode, await error);
    }
}
