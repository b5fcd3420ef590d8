using McMaster.Extensions.CommandLineUtils;
using Orchestra.Discovery;

namespace Orchestra.Cli.Commands;

/// <summary><c>init</c>: writes orchestra.yml, a service.yml per project found and orchestra.proj, never overwriting a file.</summary>
internal static class InitCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command("init", command =>
        {
            command.Description = "Write orchestra.yml, a service.yml for each runnable project found and orchestra.proj (the MSBuild targets); existing files are left alone.";
            var folder = command.Argument("FOLDER", "The workspace folder (default: the current one).");
            handlers[command] = _ =>
            {
                var root = Path.GetFullPath(folder.Value ?? ".", context.Host.CurrentDirectory);
                if (!Directory.Exists(root))
                    throw new UsageException($"The folder {root} does not exist.");
                var result = WorkspaceScaffolder.Scaffold(root, OrchestraCli.ToolVersion());
                foreach (var file in result.Files)
                    context.Out.WriteLine($"{(file.Written ? "wrote " : "exists")}  {Path.GetRelativePath(root, file.Path)}{(file.Written ? "" : " (left alone)")}");
                foreach (var reason in result.Skipped)
                    context.Out.WriteLine($"skipped {reason}");
                return Task.FromResult(ExitCodes.Success);
            };
        }, throwOnUnexpectedArg: false);
    }
}
