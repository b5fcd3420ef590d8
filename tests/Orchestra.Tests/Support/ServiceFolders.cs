namespace Orchestra.Tests.Support;

/// <summary>Service folders as discovery and configuration see them: a service.yml, and a project file nobody builds.</summary>
public static class ServiceFolders
{
    /// <summary>A service folder with a service.yml and, unless told otherwise, one project file; returns the service.yml's path.</summary>
    public static string Service(this TempWorkspace workspace, string folder, string yaml = "", bool withProject = true)
    {
        if (withProject)
            workspace.Write($"{folder}/{Path.GetFileName(folder)}.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>");
        return workspace.Write($"{folder}/service.yml", yaml);
    }
}
