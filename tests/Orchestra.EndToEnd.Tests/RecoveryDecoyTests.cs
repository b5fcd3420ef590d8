using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, points 1 and 8, where processes are found by their environment and command line rather than by the state
/// file: recovery from /proc after the state file is lost, and a supervisor looking for other supervisors. Decoys
/// carry the replica's markers or a supervisor's command line, as the same user with another command or as another
/// user with the very same one. All of it runs in a PID namespace, so a wrong adoption and its stop cannot escape.
/// </summary>
public sealed partial class RecoveryDecoyTests
{
    [Fact]
    public async Task Recovery_adopts_neither_a_marked_process_of_another_command_nor_another_users_copy_of_the_replica()
    {
        await using var fleet = new TestFleet();
        fleet.PythonService("web", PythonIdle.Printing("up"), "health: { log: \"up\" }\n");
        var config = fleet.PathOf("orchestra.yml");
        var markers = $"ORCHESTRA_WORKSPACE={PidNamespace.Quote(fleet.Root)} ORCHESTRA_SERVICE=web ORCHESTRA_REPLICA=0";
        var nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";
        var script = $"""
            cd {PidNamespace.Quote(fleet.Root)}
            {PidNamespace.Cli} start >/dev/null 2>&1; echo "start exited $?"
            replica=$({PidNamespace.Cli} ps --json | {TestFleet.Python} -c 'import json, sys; print(json.load(sys.stdin)[0]["pid"])'); echo "replica $replica"
            # The supervisor and its replica die; only lookalikes are left for recovery to find.
            supervisor=$(pgrep -f '^[^ ]*dotnet .*__supervise --config'); kill -9 $supervisor $replica
            for _ in $(seq 1 400); do [[ -d /proc/$supervisor || -d /proc/$replica ]] || break; sleep 0.05; done
            printf 'damaged' > .orchestra/state.json
            # Marked like the replica, another user, the replica's very command in its folder; the oldest claimant.
            ( cd web && exec env {markers} {nobody} setsid {TestFleet.Python} -u main.py ) & d2=$!; settle $d2 python3
            # Marked like the replica, same user, another command.
            ( export {markers}; exec setsid perl -e 'sleep 300' ) & d1=$!; settle $d1 perl
            # Another user's process with a supervisor's command line for this workspace.
            ( exec -a dotnet {nobody} perl -e 'sleep 300' __supervise --config {PidNamespace.Quote(config)} ) & d3=$!; settle $d3 perl
            echo "ps: $({PidNamespace.Cli} ps --json | tr -d ' \n')"
            {PidNamespace.Cli} stop >/dev/null 2>&1; echo "stop exited $?"
            state marked-other-command $d1; state other-users-copy $d2; state other-users-supervisor $d3
            """;

        var output = await PidNamespace.RunAsync(script, fleet.Root);

        Assert.Contains("start exited 0", output);
        Assert.Contains("stop exited 0", output);
        // No lookalike counts as a survivor to adopt: ps shows no process, and stop signals none.
        var ps = Regex.Match(output, @"^ps: (.*)$", RegexOptions.Multiline).Groups[1].Value;
        Assert.DoesNotContain("\"pid\"", ps);
        Assert.Equal(["alive marked-other-command", "alive other-users-copy", "alive other-users-supervisor"],
            StateLine().Matches(output).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}"));
    }

    [GeneratedRegex(@"^(alive|dead) (\S+) \d+$", RegexOptions.Multiline)]
    private static partial Regex StateLine();
}
