using Orchestra.Build.Building;
using Orchestra.Build.Launching;
using Orchestra.Cli;
using Orchestra.Discovery;
using Orchestra.Launching;

namespace Orchestra.Build.Tests;

/// <summary>A temp workspace of real projects to evaluate and build, its restore kept off the network.</summary>
public sealed class BuildWorkspace : IDisposable
{
    public const string Library = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
        </Project>
        """;

    public const string Console = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
        </Project>
        """;

    /// <summary>A console program whose one package exists nowhere, so that its restore fails with NU1101.</summary>
    public const string NeedsMissingPackage = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
          <ItemGroup><PackageReference Include="Orchestra.No.Such.Package" Version="1.0.0" /></ItemGroup>
        </Project>
        """;

    private readonly TempWorkspace _folder = new("test");

    public BuildWorkspace()
    {
        // Keep restore off the network: a workspace's packages can only come from an empty local folder.
        Directory.CreateDirectory(PathOf("packages"));
        Write("NuGet.config", TestProjectFiles.LocalFolderOnly);
    }

    public string Root => _folder.Root;

    public string PathOf(string relative) => _folder.PathOf(relative);

    public BuildWorkspace Write(string relative, string content)
    {
        _folder.Write(relative, content);
        return this;
    }

    /// <summary>A service folder with a service.yml and one project.</summary>
    public BuildWorkspace Service(string name, string projectXml, string serviceYaml = "", string? program = null)
    {
        Write($"{name}/service.yml", serviceYaml);
        Write($"{name}/{Capitalised(name)}.csproj", projectXml);
        if (program is not null)
            Write($"{name}/Program.cs", program);
        return this;
    }

    public static string Capitalised(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    public Workspace Load() => WorkspaceLoader.Load(_folder.ConfigPath);

    public Task<FleetBuildResult> BuildAsync() =>
        new FleetBuilder(Load(), new SilentProgress()).BuildAsync(Load().Services, CancellationToken.None);

    public async Task<IReadOnlyList<EvaluationOutcome>> EvaluateAsync()
    {
        var workspace = Load();
        return await new FleetBuilder(workspace, new SilentProgress()).EvaluateAsync(workspace.Services, CancellationToken.None);
    }

    /// <summary>Plans the launch of every service as <c>start</c> (or <c>start --docker</c>) does, without building.</summary>
    public Task<PreparedLaunch> PlanAsync(bool docker = false)
    {
        var workspace = Load();
        var options = new LaunchOptions("start", Orchestra.Variables.ProcessEnvironment.Read()) { Docker = docker };
        return new LaunchPlanner(workspace, new SilentProgress()).PlanAsync(workspace.Services, options, build: false, CancellationToken.None);
    }

    /// <summary>Runs the real CLI in-process in this workspace.</summary>
    public async Task<(int ExitCode, string Out, string Error)> RunCliAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost(output, error, Root, Orchestra.Variables.ProcessEnvironment.Read(), IsTerminal: false);
        var code = await OrchestraCli.RunAsync(args, host);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Marks a file as edited, later than any build output could be.</summary>
    public void Touch(string relative) => File.SetLastWriteTimeUtc(PathOf(relative), DateTime.UtcNow.AddSeconds(2));

    public void Dispose() => _folder.Dispose();

    private sealed class SilentProgress : IBuildProgress
    {
        public void Evaluating(IReadOnlyList<string> services)
        {
        }

        public void Building(IReadOnlyList<string> services)
        {
        }

        public void Finished(ServiceBuildReport report)
        {
        }
    }
}
