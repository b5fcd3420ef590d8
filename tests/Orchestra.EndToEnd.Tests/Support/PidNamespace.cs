using System.Diagnostics;

namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>
/// Runs a bash script as PID 1 of a new PID namespace with its own /proc (<c>unshare --pid --fork --mount-proc</c>).
/// Whatever the script starts, Orchestra included, sees and can signal only the processes of that namespace, and all
/// of them die with the script: a wrong kill cannot reach the machine outside the test.
/// </summary>
public static class PidNamespace
{
    /// <summary>Shell functions every script can use: <c>settle PID PROGRAM</c> waits until PID has exec'd PROGRAM; <c>state NAME PID</c> prints whether it lives.</summary>
    private const string Prelude = """
        set -u
        exec 2>&1
        settle() { for _ in $(seq 1 400); do [[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == *"$2"* ]] && return 0; sleep 0.05; done; echo "never settled: $1 $2"; exit 3; }
        state() { local s; s=$(sed 's/.*) //' "/proc/$2/stat" 2>/dev/null | cut -c1); if [[ -n "$s" && "$s" != Z ]]; then echo "alive $1 $2"; else echo "dead $1 $2"; fi; }

        """;

    /// <summary>The CLI as a process of its own, for a script: inside the namespace it sees only the namespace.</summary>
    public static string Cli => $"dotnet {Quote(typeof(Orchestra.Cli.OrchestraCli).Assembly.Location)}";

    /// <summary>A value as one bash word.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The script's output (stdout and stderr interleaved) once it ended; it fails the test when the script does not exit 0.</summary>
    public static async Task<string> RunAsync(string script, string workingDirectory)
    {
        var info = new ProcessStartInfo("unshare")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--pid", "--fork", "--mount-proc", "bash", "-c", Prelude + script })
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("unshare did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        var text = await output + await error;
        Assert.True(process.ExitCode == 0, $"the script in the PID namespace exited {process.ExitCode}:\n{text}");
        return text;
    }
}
