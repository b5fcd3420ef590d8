using Orchestra.Cli;

return await OrchestraCli.RunAsync(args, CliHost.FromProcess());
