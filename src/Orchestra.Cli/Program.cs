using Orchestra.Cli;
using Orchestra.Cli.Commands;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Rerun;

// A build host's runtime settings are for the runtime alone, read by now: the shell's environment is what the rest sees.
BuildHostRuntime.RemoveFromProcess();
// This process is a supervisor and nothing else: settings for its whole life, which an in-process run must not get.
if (OperatingSystem.IsLinux() && SuperviseCommand.IsInvoked(args))
    SupervisorRuntime.ApplyToProcess();
return await OrchestraCli.RunAsync(args, CliHost.FromProcess());
