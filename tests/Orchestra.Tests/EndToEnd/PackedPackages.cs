using CliWrap;
using System.Text.Json;
using CliWrap.Buffered;

namespace Orchestra.Tests.EndToEnd;

/// <summary>
/// The tool and the MSBuild task package as a user gets them, packed once for every test that needs them (packing
/// the tool is the slowest step of the suite): both into a feed folder of their own with one version of their own,
/// and the tool installed from it into a tool path. A class fixture over one pack per run, so that the classes that use
/// it run in parallel.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    private static readonly OncePerRun<TempWorkspace> Packed = new(PackAsync);
    private TempWorkspace? _temp;

    /// <summary>
    /// Unique, because NuGet caches a package by id and version and would hand back a stale copy; a prerelease of
    /// the repository's version, so the tool and the task package carry the same one as they do when released.
    /// </summary>
    public static string Version { get; } = $"0.0.1-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    public string Root => _temp!.Root;

    /// <summary>The folder the packages were packed into: a local NuGet feed.</summary>
    public string Feed => _temp!.PathOf("feed");

    /// <summary>The tool path the tool was installed into.</summary>
    public string Tools => _temp!.PathOf("tools");

    public string Tool => Path.Combine(Tools, "dotnet-orchestra");

    public string ToolPackage => Path.Combine(Feed, $"orchestra.{Version}.nupkg");

    public string TasksPackage => Path.Combine(Feed, $"Orchestra.MSBuild.{Version}.nupkg");

    public async Task InitializeAsync() => _temp = await Packed.GetAsync();

    private static async Task<TempWorkspace> PackAsync()
    {
        var temp = new TempWorkspace();
        var feed = temp.PathOf("feed");
        // Both packages in one MSBuild session (a solution filter of the two projects): one start, one restore and
        // one evaluation of what they share instead of two, about a quarter of the packing's CPU.
        var filter = temp.Write("packages.slnf", JsonSerializer.Serialize(new
        {
            solution = new
            {
                path = Path.Combine(RepositoryRoot.Path, "Orchestra.sln"),
                projects = new[] { "src/Orchestra.MSBuild/Orchestra.MSBuild.csproj", "src/Orchestra.Cli/Orchestra.Cli.csproj" },
            },
        }));
        var pack = await RunAsync("dotnet", ["pack", filter, "-c", "Release", "-o", feed, $"-p:Version={Version}"], temp.Root);
        Assert.True(pack.ExitCode == 0, pack.StandardOutput + pack.StandardError);
        var install = await RunAsync("dotnet", ["tool", "install", "orchestra", "--version", Version, "--tool-path", temp.PathOf("tools"), "--add-source", feed], temp.Root);
        Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);
        return temp;
    }

    /// <summary>The pack is the run's, deleted when the test process exits.</summary>
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Runs a program to its end, its output kept; the deadline only keeps a broken build from hanging the suite.</summary>
    public static async Task<BufferedCommandResult> RunAsync(string program, string[] arguments, string directory)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        return await CliWrap.Cli.Wrap(program)
            .WithArguments(arguments)
            .WithWorkingDirectory(directory)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
    }
}
