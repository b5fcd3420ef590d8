using Orchestra.Cli;
using Orchestra.Supervisor.Rerun;

// A build host's runtime settings are for the runtime alone, read by now: the shell's environment is what the rest sees.
BuildHostRuntime.RemoveFromProcess();
return await OrchestraCli.RunAsync(args, CliHost.FromProcess());
