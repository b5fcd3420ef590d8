using System.Reflection;

namespace Orchestra.MSBuild;

/// <summary>
/// This package's version, which the tool must match: both are packed with the one <c>Version</c> of
/// Directory.Build.props, and the tool prints it for <c>--version</c> the same way (without the <c>+commit</c> part).
/// </summary>
internal static class PackageVersion
{
    public static string Current { get; } =
        typeof(PackageVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? throw new InvalidOperationException("Orchestra.MSBuild carries no informational version.");
}
