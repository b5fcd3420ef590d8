using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, point 1: <c>start</c> stops a service's copies, and only those. A project built without an apphost
/// runs as <c>dotnet svc.dll</c>, and the bare word <c>dotnet</c> once made every .NET process on the machine a
/// "copy". Real copies and decoys of every shape run in a PID namespace, with Orchestra, so a wrong kill stays there.
/// </summary>
[StartsEarly]
public sealed partial class DecoyTests(NoAppHostProject project) : IClassFixture<NoAppHostProject>
{
    private readonly TestFleet _fleet = project.Fleet;

    private string Service => project.Service;

    private string Dll => project.Dll;

    /// <summary>The decoys: each looks like the service in one way that must not be enough.</summary>
    private string Decoys => $"""
        svc={PidNamespace.Quote(Service)}; dll={PidNamespace.Quote(Dll)}
        ( exec -a dotnet sleep 300 ) & d1=$!; settle $d1 sleep
        ( cd "$svc" && exec -a dotnet sleep 300 ) & d2=$!; settle $d2 sleep
        ( cd "$svc" && exec sleep 300 ) & d3=$!; settle $d3 sleep
        ( exec -a dotnet perl -e 'sleep 300' other.dll ) & d4=$!; settle $d4 perl
        ( exec tail -f "$dll" >/dev/null ) & d5=$!; settle $d5 tail
        ( exec -a mytool perl -e 'sleep 300' dotnet ) & d6=$!; settle $d6 perl
        ( cd "$svc" && exec -a dotnet perl -e 'sleep 300' run ) & d7=$!; settle $d7 perl
        ( exec setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'exec -a dotnet perl -e "sleep 300" "$0"' "$dll" ) & d8=$!; settle $d8 perl
        ( cd /tmp && exec -a dotnet perl -e 'sleep 300' run ) & d9=$!; settle $d9 perl
        """;

    private const string DecoyStates = "state exec-a-dotnet $d1; state dotnet-argv0-in-folder $d2; state sleep-in-folder $d3; state dotnet-other-dll $d4; state tail-of-dll $d5; state argument-dotnet $d6; state dotnet-perl-run-in-folder $d7; state other-users-copy $d8; state dotnet-run-elsewhere $d9";


    [Fact]
    public async Task Start_stops_the_services_own_copies_and_leaves_every_decoy_alone()
    {
        var script = $"""
            {Decoys}
            out=$(mktemp)
            ( cd "$svc" && exec dotnet bin/Debug/net10.0/noapphost.dll >>"$out" ) & relative=$!
            ( cd / && exec dotnet "$dll" >>"$out" ) & absolute=$!
            for _ in $(seq 1 400); do [[ $(grep -c up "$out") == 2 ]] && break; sleep 0.05; done
            cd {PidNamespace.Quote(_fleet.Root)}
            {PidNamespace.Cli} start --no-build; echo "start exited $?"
            {DecoyStates}
            state relative-copy $relative; state absolute-copy $absolute
            {PidNamespace.Cli} stop
            """;

        var output = await PidNamespace.RunAsync(script, _fleet.Root);

        Assert.Contains("start exited 0", output);
        Assert.Equal(["absolute-copy", "relative-copy"], Named(output, "dead"));
        Assert.Equal(9, Named(output, "alive").Count);
        foreach (var decoy in Named(output, "alive"))
            Assert.DoesNotContain($"pid {Pid(output, decoy)} ", output);
        Assert.Contains($"stopped noapphost running outside orchestra: pid {Pid(output, "relative-copy")} dotnet bin/Debug/net10.0/noapphost.dll", output);
        Assert.Contains($"stopped noapphost running outside orchestra: pid {Pid(output, "absolute-copy")} dotnet {Dll}", output);
    }

    [Fact]
    public void Build_leaves_the_state_folder_and_everything_in_it_to_the_owner_alone() =>
        // The fixture built the project: the first command to make .orchestra/ was `build`.
        Assert.Empty(PrivateFiles.Loose(_fleet.StateDirectory));

    [Fact]
    public async Task With_no_kill_outside_start_names_no_decoy_and_starts_when_only_decoys_run()
    {
        var script = $"""
            {Decoys}
            cd {PidNamespace.Quote(_fleet.Root)}
            {PidNamespace.Cli} start --no-build --no-kill-outside; echo "start exited $?"
            {DecoyStates}
            {PidNamespace.Cli} stop
            """;

        var output = await PidNamespace.RunAsync(script, _fleet.Root);

        Assert.Contains("start exited 0", output);
        Assert.DoesNotContain("outside orchestra", output);
        Assert.Equal(9, Named(output, "alive").Count);
    }

    [Fact]
    public async Task A_restart_and_a_stop_with_the_replica_running_leave_every_decoy_alone()
    {
        // The restart's check for outside copies looks up the running replica's group among the decoys, and the stop
        // signals that group: both must find the replica's processes and nothing else.
        var script = $"""
            {Decoys}
            cd {PidNamespace.Quote(_fleet.Root)}
            {PidNamespace.Cli} start --no-build; echo "start exited $?"
            {PidNamespace.Cli} restart --no-build; echo "restart exited $?"
            {PidNamespace.Cli} stop; echo "stop exited $?"
            {DecoyStates}
            """;

        var output = await PidNamespace.RunAsync(script, _fleet.Root);

        Assert.Contains("start exited 0", output);
        Assert.Contains("restart exited 0", output);
        Assert.Contains("stop exited 0", output);
        Assert.DoesNotContain("outside orchestra", output);
        Assert.Equal(9, Named(output, "alive").Count);
    }

    private static List<string> Named(string output, string state) =>
        StateLine().Matches(output).Where(m => m.Groups[1].Value == state).Select(m => m.Groups[2].Value).Order(StringComparer.Ordinal).ToList();

    private static string Pid(string output, string name) =>
        StateLine().Matches(output).Single(m => m.Groups[2].Value == name).Groups[3].Value;


    [GeneratedRegex(@"^(alive|dead) (\S+) (\d+)$", RegexOptions.Multiline)]
    private static partial Regex StateLine();
}

/// <summary>A console project built without an apphost, once for all of <see cref="DecoyTests"/>: it runs as <c>dotnet noapphost.dll</c>.</summary>
public sealed class NoAppHostProject : IAsyncLifetime
{
    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <UseAppHost>false</UseAppHost>
          </PropertyGroup>
        </Project>
        """;

    public TestFleet Fleet { get; } = new("decoys");

    public string Service => Fleet.PathOf("noapphost");

    public string Dll => Path.Combine(Service, "bin", "Debug", "net10.0", "noapphost.dll");

    public async Task InitializeAsync()
    {
        Fleet.Write("NuGet.config", TestProjectFiles.LocalFolderOnly);
        Directory.CreateDirectory(Fleet.PathOf("packages"));
        Fleet.Service("noapphost", "health: { log: \"up\" }\n",
            ("noapphost.csproj", Project),
            ("Program.cs", "System.Console.WriteLine(\"up\");\nawait System.Threading.Tasks.Task.Delay(-1);\n"));
        await Fleet.RunOkAsync("build");
        Assert.True(File.Exists(Dll));
    }

    public Task DisposeAsync() => Fleet.DisposeAsync().AsTask();
}
