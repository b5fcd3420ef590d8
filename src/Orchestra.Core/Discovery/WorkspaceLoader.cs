using Orchestra.Configuration;

namespace Orchestra.Discovery;

/// <summary>Loads a workspace: orchestra.yml, its services, and the rules that span files.</summary>
public static class WorkspaceLoader
{
    /// <summary>Reads orchestra.yml at <paramref name="configPath"/> and discovers and validates its services.</summary>
    /// <exception cref="ConfigurationException">Anything wrong, with every error found.</exception>
    public static Workspace Load(string configPath)
    {
        var began = DateTimeOffset.UtcNow;
        var config = WorkspaceConfigReader.Read(configPath);
        var root = Path.GetDirectoryName(config.FilePath)!;
        var services = ServiceDiscovery.Discover(root, config);
        var workspace = new Workspace { Root = root, Config = config, Services = services, ReadAt = began };
        WorkspaceValidator.Validate(workspace);
        return workspace;
    }
}
