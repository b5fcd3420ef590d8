using Orchestra.Supervisor;

namespace Orchestra.Cli;

/// <summary>This tool as a process of its own: the supervisor runs as one, and runs one to rebuild a service.</summary>
internal static class ToolProcess
{
    /// <summary>
    /// <c>dotnet dotnet-orchestra.dll</c>: installed global tools ship no apphost, and tests run the CLI inside
    /// another process, so the DLL is what is always there.
    /// </summary>
    public static ProcessCommand Current()
    {
        var current = Environment.ProcessPath;
        var dotnet = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet"
            ? current
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return new ProcessCommand(dotnet, [typeof(ToolProcess).Assembly.Location]);
    }
}
