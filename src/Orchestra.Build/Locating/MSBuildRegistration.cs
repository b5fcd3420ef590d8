using Orchestra.Errors;
using CliWrap;
using CliWrap.Buffered;
using Microsoft.Build.Locator;

namespace Orchestra.Build.Locating;

/// <summary>The .NET SDK whose MSBuild this process uses.</summary>
public sealed record SdkInfo(Version Version, string Path);

/// <summary>
/// Registers the MSBuild of the SDK a workspace resolves (global.json honoured) with Microsoft.Build.Locator.
/// This type touches no Microsoft.Build type: it must run before the JIT loads any, which is why evaluation and
/// building live in other classes.
/// </summary>
public static class MSBuildRegistration
{
    /// <summary>The oldest SDK whose MSBuild has every API Orchestra is compiled against (MSBuild 18.x).</summary>
    public static readonly Version MinimumSdk = new(10, 0, 100);

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, Version> ResolvedByGlobalJson = [];
    private static SdkInfo? registered;

    /// <summary>The SDK registered in this process, if any.</summary>
    public static SdkInfo? Registered => registered;

    /// <summary>
    /// Finds the SDK that <c>dotnet</c> resolves in <paramref name="workspaceRoot"/> and registers its MSBuild. MSBuild
    /// can be registered once per process, so a later workspace that resolves another SDK is refused.
    /// </summary>
    /// <exception cref="SdkNotFoundException">No usable SDK.</exception>
    public static async Task<SdkInfo> EnsureRegisteredAsync(string workspaceRoot, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var version = await ResolveOnceAsync(workspaceRoot, cancellationToken);
            if (registered is not null)
            {
                return registered.Version == version
                    ? registered
                    : throw new SdkNotFoundException($"{workspaceRoot} resolves the .NET SDK {version}, but this process already uses the MSBuild of {registered.Version}; run Orchestra again for that workspace.");
            }
            if (version < MinimumSdk)
                throw new SdkNotFoundException(
                    $"The .NET SDK {version} that {workspaceRoot} resolves is older than {MinimumSdk}, the oldest Orchestra can build with; install a newer SDK or change global.json.");
            var instance = MSBuildLocator.QueryVisualStudioInstances(new VisualStudioInstanceQueryOptions
                {
                    DiscoveryTypes = DiscoveryType.DotNetSdk,
                    WorkingDirectory = workspaceRoot,
                })
                .FirstOrDefault(i => i.Version == version)
                ?? throw new SdkNotFoundException($"The .NET SDK {version} that {workspaceRoot} resolves has no MSBuild that Microsoft.Build.Locator can find.");
            if (!MSBuildLocator.IsRegistered)
                MSBuildLocator.RegisterInstance(instance);
            registered = new SdkInfo(version, instance.MSBuildPath);
            return registered;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// The SDK version for <paramref name="workspaceRoot"/>, asked of <c>dotnet</c> once per global.json text: which SDK
    /// a folder resolves depends only on the nearest global.json above it (none: the newest SDK), so a process that
    /// builds many workspaces (the tests, a build host) does not start <c>dotnet --version</c> for each.
    /// </summary>
    private static async Task<Version> ResolveOnceAsync(string workspaceRoot, CancellationToken cancellationToken)
    {
        var key = NearestGlobalJson(workspaceRoot) is { } globalJson ? $"{globalJson}\n{File.ReadAllText(globalJson)}" : "";
        if (!ResolvedByGlobalJson.TryGetValue(key, out var version))
            ResolvedByGlobalJson[key] = version = await ResolveSdkVersionAsync(workspaceRoot, cancellationToken);
        return version;
    }

    private static string? NearestGlobalJson(string folder)
    {
        for (var directory = new DirectoryInfo(folder); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "global.json");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>Asks <c>dotnet --version</c> in the workspace, which applies global.json exactly as <c>dotnet build</c> would.</summary>
    private static async Task<Version> ResolveSdkVersionAsync(string workspaceRoot, CancellationToken cancellationToken)
    {
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap("dotnet")
                .WithArguments(["--version"])
                .WithWorkingDirectory(workspaceRoot)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new SdkNotFoundException("No .NET SDK was found: the 'dotnet' command is not on the PATH; install the .NET SDK.");
        }
        var output = result.StandardOutput.Trim();
        if (result.ExitCode != 0 || output.Length == 0)
        {
            var reason = FirstLine(result.StandardError) ?? FirstLine(result.StandardOutput) ?? $"exit code {result.ExitCode}";
            throw new SdkNotFoundException($"No .NET SDK was found for {workspaceRoot} ('dotnet --version' says: {reason.TrimEnd('.')}); install the SDK that global.json asks for.");
        }
        // A preview version such as 11.0.100-preview.1.25 compares by its numeric part.
        var numeric = output.Split('-', 2)[0];
        return Version.TryParse(numeric, out var version)
            ? version
            : throw new SdkNotFoundException($"'dotnet --version' in {workspaceRoot} printed '{output}', which is not an SDK version.");
    }

    private static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}

/// <summary>No .NET SDK that Orchestra can use was found; the message is one sentence for the user.</summary>
public sealed class SdkNotFoundException(string message) : OrchestraException(message, FailureKind.Usage);
