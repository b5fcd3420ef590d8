using System.Runtime.InteropServices;

namespace Orchestra.Cli;

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM to a command run from a shell. The first cancels the command's token, so that what the
/// command started is cleaned up as the command unwinds (a supervisor it spawned and that looks after nothing, a hook,
/// a build); the command then ends with 128 + the signal's number. A second ends the process at once, as the runtime
/// does by default, for a user who does not want to wait for the clean-up.
/// </summary>
internal sealed class CommandInterruption : IDisposable
{
    private readonly CancellationTokenSource _interrupted = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    public CommandInterruption() =>
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt)];

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _interrupted.Token;

    /// <summary>The exit code of a command the signal ended, as a shell reports one a signal killed: 130 for Ctrl-C, 143 for SIGTERM.</summary>
    public int ExitCode => 128 + Volatile.Read(ref _signal);

    private void Interrupt(PosixSignalContext context)
    {
        // PosixSignal's values are not the platform's numbers; these two are the same on every Unix.
        var number = context.Signal == PosixSignal.SIGINT ? 2 : 15;
        if (Interlocked.CompareExchange(ref _signal, number, 0) != 0)
            return;
        context.Cancel = true;
        _interrupted.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _interrupted.Dispose();
    }
}
