using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Orchestra.MSBuild;

/// <summary>
/// Runs one <c>dotnet orchestra</c> command, found by <see cref="ResolveOrchestraTool"/>, in the workspace, and turns
/// its failure into one MSBuild error with an ORC code: the tool's own located errors as ORC001 at their file, line and
/// column, its other <c>error:</c> sentences in the error of the command's code. Its output is logged as it comes.
/// </summary>
public abstract class OrchestraToolTask : ToolTask
{
    private readonly List<string> _errors = [];
    private bool _loggedLocated;

    /// <summary>The program that runs the tool, from <see cref="ResolveOrchestraTool"/>.</summary>
    [Required]
    public string ToolProgram { get; set; } = "";

    /// <summary>The arguments before the command (<c>tool run dotnet-orchestra --</c> for a local tool).</summary>
    public string ToolArgumentsPrefix { get; set; } = "";

    /// <summary>The workspace folder: the tool runs there and finds the nearest orchestra.yml.</summary>
    [Required]
    public string WorkspaceDirectory { get; set; } = "";

    /// <summary>The tool's command and its options.</summary>
    protected abstract string Command { get; }

    /// <summary>The code of the error logged when the command fails for another reason than the configuration.</summary>
    protected abstract string FailureCode { get; }

    /// <summary>The sentence that starts that error.</summary>
    protected abstract string FailureSentence { get; }

    protected override string ToolName => ToolLocator.CommandName;

    // The tables the tool prints (what started, the test results) belong in a CI log at the default verbosity.
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;

    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.High;

    protected override string GenerateFullPathToTool() => ToolProgram;

    protected override string GenerateCommandLineCommands() => $"{ToolArgumentsPrefix} {Command}".Trim();

    protected override string GetWorkingDirectory() => WorkspaceDirectory;

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (ToolOutput.Error(singleLine) is not { } sentence)
        {
            // Other lines may still be errors in MSBuild's own format (a service's compile error), which the base logs as such.
            base.LogEventsFromTextOutput(singleLine, messageImportance);
            return;
        }
        if (ToolOutput.Located(sentence) is { } at)
        {
            Log.LogError(null, ErrorCodes.Configuration, null, at.File, at.Line, at.Column, 0, 0, at.Message);
            _loggedLocated = true;
        }
        else
        {
            _errors.Add(sentence);
        }
    }

    protected override bool HandleTaskExecutionErrors()
    {
        if (_loggedLocated)
            return false;
        // Exit code 2 is the tool's bad usage or configuration (SPEC §3), whichever command found it.
        var code = ExitCode == 2 ? ErrorCodes.Configuration : FailureCode;
        var detail = _errors.Count > 0
            ? string.Join(" ", _errors)
            : $"'dotnet orchestra {Command}' exited with code {ExitCode}; its output is above.";
        Log.LogError(null, code, null, null, 0, 0, 0, 0, $"{FailureSentence} {detail}");
        return false;
    }
}
