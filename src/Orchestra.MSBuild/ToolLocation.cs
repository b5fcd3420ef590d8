namespace Orchestra.MSBuild;

/// <summary>Where the orchestra tool was found, which decides how to run it and how to install another version there.</summary>
public enum ToolSource
{
    /// <summary>In the folder of the <c>OrchestraToolPath</c> property (a <c>dotnet tool install --tool-path</c> folder).</summary>
    ToolPath,
    /// <summary>A local tool of a <c>dotnet-tools.json</c> manifest, run through <c>dotnet tool run</c>.</summary>
    LocalTool,
    /// <summary>The global tool in <c>~/.dotnet/tools</c>.</summary>
    GlobalTool,
}

/// <summary>How to run the orchestra tool: the program and the arguments that come before the command.</summary>
/// <param name="Where">The tool's folder, or the manifest, for messages.</param>
public sealed record ToolLocation(string Program, string PrefixArguments, ToolSource Source, string Where)
{
    /// <summary>The command that installs <paramref name="version"/> where this tool was found.</summary>
    public string InstallCommand(string version) => Source switch
    {
        ToolSource.ToolPath => $"dotnet tool update orchestra --version {version} --tool-path \"{Where}\"",
        ToolSource.LocalTool => $"dotnet tool update orchestra --version {version} (in the folder of {Where})",
        _ => $"dotnet tool update -g orchestra --version {version}",
    };
}
