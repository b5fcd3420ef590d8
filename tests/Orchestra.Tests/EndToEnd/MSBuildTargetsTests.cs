using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using CliWrap.Buffered;

namespace Orchestra.Tests.EndToEnd;

/// <summary>
/// <c>dotnet build orchestra.proj -t:OrchestraUp|OrchestraDown|OrchestraTest</c> in a fresh workspace after
/// <c>dotnet orchestra init</c>, with the packed task package (from a NuGet.config that names the packed feed) and the
/// tool installed into a tool path: real builds, a real supervisor, a real service and real acceptance tests.
/// </summary>
/// <remarks>
/// A base for two classes, so that the long <c>OrchestraTest</c> test runs beside the others once the packages are
/// packed: the tests of one class run one after another.
/// </remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class MSBuildTargetsWorkspace(PackedPackages packages) : IClassFixture<PackedPackages>, IDisposable
{
    /// <summary>The workspace: after <see cref="InitAsync"/>, one web service on <see cref="Port"/> and its acceptance tests.</summary>
    protected TempWorkspace Folder { get; } = new();

    protected int Port { get; } = Ports.Free();

    protected PackedPackages Packages => packages;

    public void Dispose()
    {
        // A test that failed half-way must not leave its fleet running.
        foreach (var pid in Procs.LiveWithCommandLine($"__supervise --config {Folder.ConfigPath}").Concat(Procs.LiveInWorkspace(Folder.Root)))
            Procs.Signal(pid, Procs.SigKill);
        Folder.Dispose();
    }

    /// <summary>
    /// A workspace with one Python web service answering "hello" and an acceptance project that expects the answer
    /// orchestra.yml gives it in EXPECTED (so a test turns from passing to failing by editing a yml, not by a rebuild);
    /// then <c>init</c>, which writes orchestra.proj (and leaves the other files alone).
    /// </summary>
    protected async Task InitAsync()
    {
        Folder.Write("orchestra.yml", Workspace("hello"));
        Folder.Write("web/service.yml", $"command: [\"/usr/bin/python3\", \"-u\", \"main.py\"]\nport: {Port}\nhealth:\n  http: /\n");
        Folder.Write("web/main.py", PythonHttpServer.Answering("\"hello\""));
        Folder.Write("tests/Accept/Accept.csproj", TestProjectFiles.XunitVsTest);
        Folder.Write("tests/Accept/WebTests.cs", """
            public class WebTests
            {
                [Xunit.Fact]
                public async Task Web_answers_what_orchestra_yml_expects()
                {
                    using var http = new HttpClient();
                    var body = await http.GetStringAsync(Environment.GetEnvironmentVariable("services__web__http__0") + "/");
                    Xunit.Assert.Equal(Environment.GetEnvironmentVariable("EXPECTED"), body);
                }
            }
            """);
        // The feeds a user's NuGet.config names: nuget.org for the test project's packages, and the packed folder.
        Folder.Write("NuGet.config", $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                <add key="orchestra" value="{packages.Feed}" />
              </packageSources>
            </configuration>
            """);

        var init = await PackedPackages.RunAsync(packages.Tool, ["init"], Folder.Root);
        Assert.True(init.ExitCode == 0, init.StandardOutput + init.StandardError);
        Assert.Contains("wrote   orchestra.proj", init.StandardOutput);
        Assert.Contains($"<Project Sdk=\"Orchestra.MSBuild/{PackedPackages.Version}\">", File.ReadAllText(Folder.PathOf("orchestra.proj")));
    }

    protected static string Workspace(string expected) =>
        $"name: msbuild\nacceptance: [tests/Accept]\ncommands:\n  test:\n    env:\n      EXPECTED: \"{expected}\"\n";

    /// <summary>Builds a target of orchestra.proj with the tool of the tool path, as CI would; no MSBuild node outlives it.</summary>
    protected Task<BufferedCommandResult> BuildAsync(string target, string toolPath) =>
        PackedPackages.RunAsync("dotnet", ["build", "orchestra.proj", $"-t:{target}", $"-p:OrchestraToolPath={toolPath}", "-tl:off", "-nodeReuse:false"], Folder.Root);

    protected Task<BufferedCommandResult> BuildAsync(string target) => BuildAsync(target, packages.Tools);

    protected IReadOnlyList<int> FleetProcesses() =>
        Procs.LiveWithCommandLine($"__supervise --config {Folder.ConfigPath}").Concat(Procs.LiveInWorkspace(Folder.Root)).ToList();

    protected async Task<string> GetAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{Port}/");
    }
}

/// <summary>The targets other than <c>OrchestraTest</c>: up and down, the configuration and tool errors, the package.</summary>
[StartsEarly]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MSBuildTargetsTests(PackedPackages packages) : MSBuildTargetsWorkspace(packages)
{
    [Fact]
    public async Task OrchestraUp_leaves_the_fleet_healthy_and_OrchestraDown_stops_it()
    {
        await InitAsync();

        var up = await BuildAsync("OrchestraUp");

        Assert.True(up.ExitCode == 0, up.StandardOutput);
        Assert.Contains("healthy", up.StandardOutput);
        Assert.Equal("hello", await GetAsync());
        Assert.NotEmpty(Procs.LiveInWorkspace(Folder.Root));

        var down = await BuildAsync("OrchestraDown");

        Assert.True(down.ExitCode == 0, down.StandardOutput);
        Assert.Empty(FleetProcesses());
        await Assert.ThrowsAsync<HttpRequestException>(GetAsync);
    }

    [Fact]
    public async Task A_broken_service_yml_fails_OrchestraUp_with_ORC001_at_its_file_line_and_column()
    {
        await InitAsync();
        var serviceYml = Folder.Write("web/service.yml", $"command: [\"/usr/bin/python3\", \"main.py\"]\nport: {Port}\nscale: two\n");

        var up = await BuildAsync("OrchestraUp");

        Assert.NotEqual(0, up.ExitCode);
        Assert.Contains($"{serviceYml}(3,8): error ORC001: scale must be a whole number from 0 to 100, got 'two'.", up.StandardOutput);
        Assert.Empty(FleetProcesses());
    }

    [Fact]
    public async Task A_tool_of_another_version_is_refused_with_ORC002_naming_both_versions_and_the_install_command()
    {
        await InitAsync();
        // A tool path whose dotnet-orchestra says it is another version: the check reads what --version prints.
        var other = Folder.Write("other-tool/dotnet-orchestra", "#!/bin/sh\necho Orchestra\necho 0.0.1-other\n");
        File.SetUnixFileMode(other, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var up = await BuildAsync("OrchestraUp", "other-tool");

        Assert.NotEqual(0, up.ExitCode);
        Assert.Contains(
            $"error ORC002: The orchestra tool at {Folder.PathOf("other-tool")} is version 0.0.1-other, but the Orchestra.MSBuild package is version {PackedPackages.Version}; "
            + $"install the matching tool with 'dotnet tool update orchestra --version {PackedPackages.Version} --tool-path \"{Folder.PathOf("other-tool")}\"'.",
            up.StandardOutput);
        Assert.Empty(FleetProcesses());
    }

    [Fact]
    public async Task A_tool_path_without_the_tool_is_refused_with_ORC002()
    {
        await InitAsync();
        Directory.CreateDirectory(Folder.PathOf("empty"));

        var up = await BuildAsync("OrchestraUp", "empty");

        Assert.NotEqual(0, up.ExitCode);
        Assert.Contains($"error ORC002: OrchestraToolPath 'empty' holds no dotnet-orchestra; install it there with 'dotnet tool install orchestra --version {PackedPackages.Version}", up.StandardOutput);
    }

    [Fact]
    public void The_task_package_ships_the_targets_and_a_task_assembly_that_references_no_engine_assembly()
    {
        using var zip = ZipFile.OpenRead(Packages.TasksPackage);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("build/Orchestra.MSBuild.targets", entries);
        Assert.Contains("build/Orchestra.MSBuild.props", entries);
        Assert.Contains("Sdk/Sdk.targets", entries);
        Assert.Contains("Sdk/Sdk.props", entries);
        // MSBuild provides its own assemblies; the package brings none, and no dependency.
        Assert.Equal(["tasks/net10.0/Orchestra.MSBuild.dll"], entries.Where(e => e.EndsWith(".dll")));

        using var image = new MemoryStream();
        using (var stream = zip.GetEntry("tasks/net10.0/Orchestra.MSBuild.dll")!.Open())
            stream.CopyTo(image);
        image.Position = 0;
        using var pe = new PEReader(image);
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)).ToList();
        Assert.Contains("Microsoft.Build.Utilities.Core", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Orchestra", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// <c>OrchestraTest</c> with acceptance tests that pass. Each outcome has a class (and a workspace) of its own: each
/// builds and runs the acceptance project, the longest work of the assembly, and apart they run at once.
/// </summary>
[StartsEarly]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MSBuildTestTargetPassingTests(PackedPackages packages) : MSBuildTargetsWorkspace(packages)
{
    [Fact]
    public async Task OrchestraTest_passes_when_the_acceptance_tests_pass_and_stops_the_fleet()
    {
        await InitAsync();

        var passing = await BuildAsync("OrchestraTest");

        Assert.True(passing.ExitCode == 0, passing.StandardOutput);
        Assert.Contains("1 test project: 1 passed, 0 failed, 0 skipped.", passing.StandardOutput);
        // The acceptance project was built for the first time in this run, by the tool, whose invariant globalization
        // once made every culture of the test packages' resources unknown to MSBuild (NETSDK1188, a warning each).
        Assert.DoesNotContain("NETSDK1188", passing.StandardOutput);
        Assert.Empty(FleetProcesses());
    }
}

/// <summary><c>OrchestraTest</c> with an acceptance test that fails (see <see cref="MSBuildTestTargetPassingTests"/>).</summary>
[StartsEarly]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MSBuildTestTargetFailingTests(PackedPackages packages) : MSBuildTargetsWorkspace(packages)
{
    [Fact]
    public async Task OrchestraTest_fails_with_ORC004_when_an_acceptance_test_fails_and_stops_the_fleet()
    {
        await InitAsync();
        Folder.Write("orchestra.yml", Workspace("goodbye"));

        var failing = await BuildAsync("OrchestraTest");

        Assert.NotEqual(0, failing.ExitCode);
        Assert.Contains("Expected: \"goodbye\"", failing.StandardOutput);
        Assert.Contains("error ORC004: The acceptance tests failed.", failing.StandardOutput);
        Assert.Contains("web: stopped", failing.StandardOutput);
        Assert.Empty(FleetProcesses());
    }
}
