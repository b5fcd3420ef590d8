using System.Diagnostics;
using System.Text;
using Orchestra.Cli;

namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>
/// The CLI run as a process of its own in a workspace, as from a terminal, for what only a real process shows: how it
/// takes a signal (Ctrl-C is SIGINT to the process, not a cancelled token) and the exit code it ends with.
/// Disposing kills it if it still runs.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public CliProcess(string workingDirectory, params string[] args)
    {
        // As from a terminal, where Ctrl-C is not ignored: a suite started in the background (`cmd &` in a script) runs
        // with SIGINT ignored, which every child inherits and .NET then leaves ignored. `env` execs, so the pid is the CLI's.
        var info = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", typeof(OrchestraCli).Assembly.Location, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("The CLI did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>What it has printed so far, both streams.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Ctrl-C, as a terminal sends it.</summary>
    public void Interrupt() => Procs.Signal(_process.Id, Procs.SigInt);

    /// <summary>Its exit code once it has ended; the test fails with what it printed if it does not end.</summary>
    public async Task<int> ExitCodeAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WithDeadline();
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the command did not end; it printed:\n{Output}");
        }
        return _process.ExitCode;
    }

    private void Append(string? line)
    {
        lock (_output)
            _output.AppendLine(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
