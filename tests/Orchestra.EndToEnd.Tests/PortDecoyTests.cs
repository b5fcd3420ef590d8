using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// A listener on a service's port is stopped only when it is the service's own copy: one of the invoking user's
/// processes, started from the service's folder. Any other holder (a stranger from another folder, another user's
/// process even in the service's folder) makes <c>start</c> fail naming it, and lives on. Listeners and Orchestra run
/// in a PID namespace, so a wrong kill stays there.
/// </summary>
public sealed class PortDecoyTests
{
    private const string Server = "import http.server, os\nhttp.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=int(os.environ['PORT']), bind='127.0.0.1')\n";

    /// <summary>Starts <c>python3 -m http.server PORT</c> as <paramref name="name"/> from <paramref name="folder"/> (after any prefix, such as setpriv), then waits until it listens.</summary>
    private static string Listener(string name, string folder, int port, string prefix = "") => $"""
        ( cd {PidNamespace.Quote(folder)} && exec {prefix} {TestFleet.Python} -m http.server {port} --bind 127.0.0.1 >/dev/null 2>&1 ) & {name}=$!
        for _ in $(seq 1 400); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.05; done
        """;

    [Fact]
    public async Task Listeners_on_the_ports_that_are_not_the_services_copies_fail_start_and_live_on()
    {
        await using var fleet = new TestFleet("port-decoys");
        int web = Ports.Free(), api = Ports.Free();
        fleet.PythonService("web", Server, $"port: {web}\n");
        fleet.PythonService("api", Server, $"port: {api}\n");
        var elsewhere = Directory.CreateDirectory(fleet.PathOf("elsewhere")).FullName;
        // Another user's process must be able to enter the service's folder to be started from it.
        File.SetUnixFileMode(fleet.Root, File.GetUnixFileMode(fleet.Root) | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(fleet.PathOf("api"), File.GetUnixFileMode(fleet.PathOf("api")) | UnixFileMode.OtherExecute);
        var script = $"""
            {Listener("stranger", elsewhere, web)}
            {Listener("other_user", fleet.PathOf("api"), api, "setpriv --reuid=65534 --regid=65534 --clear-groups")}
            cd {PidNamespace.Quote(fleet.Root)}
            {PidNamespace.Cli} start web; echo "start web exited $?"
            {PidNamespace.Cli} start api; echo "start api exited $?"
            state stranger $stranger; state other-user $other_user
            # [_] keeps the pattern from matching this script's own command line.
            for _ in $(seq 1 400); do pgrep -f '[_]_supervise' >/dev/null || break; sleep 0.05; done
            pgrep -f '[_]_supervise' >/dev/null && echo "a supervisor idles" || echo "no supervisor left"
            """;

        var output = await PidNamespace.RunAsync(script, fleet.Root);

        Assert.Contains("start web exited 1", output);
        Assert.Contains("start api exited 1", output);
        Assert.Matches($@"Port {web} of service 'web' is held by pid \d+ {TestFleet.Python} -m http.server {web} --bind 127.0.0.1, which is not a copy of 'web'", output);
        Assert.Matches($@"Port {api} of service 'api' is held by pid \d+ {TestFleet.Python} -m http.server {api} --bind 127.0.0.1, which is not a copy of 'api'", output);
        Assert.Contains("alive stranger ", output);
        Assert.Contains("alive other-user ", output);
        Assert.DoesNotContain("running outside orchestra", output);
        // Neither was started on a port someone else holds, and a refused start leaves no supervisor idling behind it.
        Assert.False(File.Exists(fleet.LogFile("web")) || File.Exists(fleet.LogFile("api")), "a service was started on a port someone else holds");
        Assert.Contains("no supervisor left", output);
    }

    [Fact]
    public async Task A_listener_on_its_port_started_from_the_services_folder_is_its_copy_and_only_it_is_stopped()
    {
        await using var fleet = new TestFleet("port-decoys");
        int web = Ports.Free(), elsewhere = Ports.Free();
        fleet.PythonService("web", Server, $"port: {web}\nhealth: {{ http: / }}\n");
        var script = $"""
            {Listener("copy", fleet.PathOf("web"), web)}
            {Listener("neighbour", fleet.PathOf("web"), elsewhere)}
            cd {PidNamespace.Quote(fleet.Root)}
            {PidNamespace.Cli} start; echo "start exited $?"
            state copy $copy; state neighbour $neighbour
            {PidNamespace.Cli} stop >/dev/null
            """;

        var output = await PidNamespace.RunAsync(script, fleet.Root);

        Assert.Contains("start exited 0", output);
        Assert.Contains("dead copy ", output);
        Assert.Contains("alive neighbour ", output);
        Assert.Matches($@"stopped web running outside orchestra: pid \d+ {TestFleet.Python} -m http.server {web} --bind 127.0.0.1", output);
        Assert.DoesNotContain($"http.server {elsewhere} ", output);
    }
}
