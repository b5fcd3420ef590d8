using Orchestra.Errors;
using Orchestra.Configuration;

namespace Orchestra.Discovery;

/// <summary>Finds the orchestra.yml a command works on.</summary>
public static class WorkspaceLocator
{
    public const string ConfigVariable = "ORCHESTRA_CONFIG";

    /// <summary>
    /// The explicit file when one is given (<c>--config</c> or <c>ORCHESTRA_CONFIG</c>), otherwise the
    /// nearest orchestra.yml in <paramref name="startDirectory"/> or its parents.
    /// </summary>
    /// <exception cref="WorkspaceNotFoundException">No such file.</exception>
    public static string Locate(string startDirectory, string? explicitPath)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            var full = Path.GetFullPath(explicitPath, startDirectory);
            if (Directory.Exists(full))
                full = Path.Combine(full, WorkspaceConfigReader.FileName);
            return File.Exists(full) ? full : throw new WorkspaceNotFoundException($"The configuration file {full} does not exist.");
        }
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, WorkspaceConfigReader.FileName);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new WorkspaceNotFoundException(
            $"No {WorkspaceConfigReader.FileName} in {Path.GetFullPath(startDirectory)} or any folder above it; run 'dotnet orchestra init' to create one, or name one with --config.");
    }
}

/// <summary>No workspace configuration could be found.</summary>
public sealed class WorkspaceNotFoundException(string message) : OrchestraException(message, FailureKind.Usage);
