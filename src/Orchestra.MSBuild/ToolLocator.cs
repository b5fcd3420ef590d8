using System.Text.Json;

namespace Orchestra.MSBuild;

/// <summary>
/// Finds the orchestra tool the way a workspace pins it, most specific first: the <c>OrchestraToolPath</c> property
/// (an explicit choice; when set and empty of the tool, that is an error, not a reason to run another copy), then a
/// local tool of the nearest tool manifest that lists it (the version the repository commits to), then the global tool
/// (whatever this machine has).
/// </summary>
public static class ToolLocator
{
    public const string PackageId = "orchestra";
    public const string CommandName = "dotnet-orchestra";

    private static string Executable => OperatingSystem.IsWindows() ? CommandName + ".exe" : CommandName;

    /// <param name="toolPath">The <c>OrchestraToolPath</c> property: empty, or a folder relative to the workspace.</param>
    /// <param name="dotnet">The <c>dotnet</c> program, which runs local tools.</param>
    /// <param name="globalTools">The global tools folder, <c>~/.dotnet/tools</c>.</param>
    /// <returns>The tool, or null when none of the three places has it.</returns>
    public static ToolLocation? Find(string toolPath, string workspace, string dotnet, string globalTools)
    {
        if (toolPath.Length > 0)
        {
            var folder = Path.GetFullPath(toolPath, workspace);
            var program = Path.Combine(folder, Executable);
            return File.Exists(program) ? new ToolLocation(program, "", ToolSource.ToolPath, folder) : null;
        }
        if (ManifestListing(workspace) is { } manifest)
            return new ToolLocation(dotnet, $"tool run {CommandName} --", ToolSource.LocalTool, manifest);
        var global = Path.Combine(globalTools, Executable);
        return File.Exists(global) ? new ToolLocation(global, "", ToolSource.GlobalTool, globalTools) : null;
    }

    /// <summary>
    /// The nearest <c>.config/dotnet-tools.json</c> or <c>dotnet-tools.json</c> at or above the workspace that lists the
    /// orchestra package, as <c>dotnet tool run</c> looks for them; the search ends at a manifest marked <c>isRoot</c>.
    /// </summary>
    private static string? ManifestListing(string workspace)
    {
        for (var folder = new DirectoryInfo(workspace); folder is not null; folder = folder.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(folder.FullName, ".config", "dotnet-tools.json"), Path.Combine(folder.FullName, "dotnet-tools.json") })
            {
                if (!File.Exists(candidate))
                    continue;
                using var document = Parse(candidate);
                var root = document.RootElement;
                if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Object
                    && tools.EnumerateObject().Any(t => string.Equals(t.Name, PackageId, StringComparison.OrdinalIgnoreCase)))
                    return candidate;
                if (root.TryGetProperty("isRoot", out var isRoot) && isRoot.ValueKind == JsonValueKind.True)
                    return null;
            }
        }
        return null;
    }

    private static JsonDocument Parse(string manifest)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(manifest), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The tool manifest {manifest} is not valid JSON ({e.Message.TrimEnd('.')}).", e);
        }
    }
}
