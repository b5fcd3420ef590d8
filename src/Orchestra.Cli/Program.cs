using Orchestra.Cli;
using Orchestra.Cli.Commands;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Rerun;

// A build host's runtime settings are for the runtime alone, read by now: the shell's environment is what the rest sees.
BuildHostRuntime.RemoveFromProcess();
// The supervisor handles its signals itself (stop the fleet, then kill it), and the build host ends with the supervisor.
if (OperatingSystem.IsLinux() && args is [SupervisorHost.CommandName or SupervisorHost.BuildHostCommandName, ..])
{
    // This process is a supervisor and nothing else: settings for its whole life, which an in-process run must not get.
    if (SuperviseCommand.IsInvoked(args))
        SupervisorRuntime.ApplyToProcess();
    return await OrchestraCli.RunAsync(args, CliHost.FromProcess());
}

using var interruption = new CommandInterruption();
try
{
    return await OrchestraCli.RunAsync(args, CliHost.FromProcess(), interruption.Token);
}
catch (OperationCanceledException) when (interruption.Token.IsCancellationRequested)
{
    return interruption.ExitCode;
}
