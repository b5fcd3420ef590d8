using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Orchestra.MSBuild;

/// <summary>
/// Finds the orchestra tool (<see cref="ToolLocator"/>) and runs its <c>--version</c>: a tool of another version than
/// this package is refused with ORC002, naming both versions and the command that installs the matching one, because
/// the targets and the tool's output are one contract. Runs once per build; the other tasks take its outputs.
/// </summary>
public sealed class ResolveOrchestraTool : ToolTask
{
    private readonly List<string> _output = [];
    private ToolLocation? _tool;

    /// <summary>The <c>OrchestraToolPath</c> property: a <c>--tool-path</c> folder, absolute or relative to the workspace.</summary>
    public string OrchestraToolPath { get; set; } = "";

    /// <summary>The workspace folder, where the search for a tool manifest starts.</summary>
    [Required]
    public string WorkspaceDirectory { get; set; } = "";

    [Output]
    public string ToolProgram { get; private set; } = "";

    [Output]
    public string ToolArgumentsPrefix { get; private set; } = "";

    protected override string ToolName => ToolLocator.CommandName;

    protected override string GenerateFullPathToTool() => _tool!.Program;

    protected override string GenerateCommandLineCommands() => $"{_tool!.PrefixArguments} --version".Trim();

    protected override string GetWorkingDirectory() => WorkspaceDirectory;

    public override bool Execute()
    {
        var expected = PackageVersion.Current;
        try
        {
            _tool = ToolLocator.Find(OrchestraToolPath, WorkspaceDirectory, DotnetHost(), GlobalToolsFolder());
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
        if (_tool is null)
        {
            return Fail(OrchestraToolPath.Length > 0
                ? $"OrchestraToolPath '{OrchestraToolPath}' holds no {ToolLocator.CommandName}; install it there with 'dotnet tool install orchestra --version {expected} --tool-path \"{Path.GetFullPath(OrchestraToolPath, WorkspaceDirectory)}\"'."
                : $"The orchestra tool was found neither as a local tool of a tool manifest nor as a global tool; install version {expected} with 'dotnet tool install -g orchestra --version {expected}', or set OrchestraToolPath to its --tool-path folder.");
        }
        if (!base.Execute())
            return false;
        // `--version` prints the tool's name, then its version on the last line.
        var actual = _output.LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
        if (actual != expected)
            return Fail($"The orchestra tool at {_tool.Where} is version {actual}, but the Orchestra.MSBuild package is version {expected}; install the matching tool with '{_tool.InstallCommand(expected)}'.");
        ToolProgram = _tool.Program;
        ToolArgumentsPrefix = _tool.PrefixArguments;
        Log.LogMessage(MessageImportance.Normal, $"Orchestra {actual} from {_tool.Where}.");
        return true;
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        _output.Add(singleLine);
        Log.LogMessage(MessageImportance.Low, singleLine);
    }

    protected override bool HandleTaskExecutionErrors() =>
        Fail($"'{_tool!.Program} {GenerateCommandLineCommands()}' failed with exit code {ExitCode}: {string.Join(" ", _output)}");

    private bool Fail(string message)
    {
        Log.LogError(null, ErrorCodes.Tool, null, null, 0, 0, 0, 0, message);
        return false;
    }

    /// <summary>The <c>dotnet</c> that runs this build (the CLI tells MSBuild through DOTNET_HOST_PATH), else the one on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Where <c>dotnet tool install -g</c> puts tools: under DOTNET_CLI_HOME when set, else the home folder.</summary>
    private static string GlobalToolsFolder()
    {
        var home = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") is { Length: > 0 } cliHome
            ? cliHome
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".dotnet", "tools");
    }
}
