using Orchestra.Discovery;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.Discovery;

public sealed class DiscoveryTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Depth_one_folders_with_a_service_yml_are_services_and_dot_folders_are_skipped()
    {
        _workspace.Write("orchestra.yml", "");
        _workspace.Service("web");
        _workspace.Service("api");
        _workspace.Service(".hidden");
        _workspace.Service("deep/nested");
        _workspace.Write("docs/readme.md", "not a service");

        var workspace = WorkspaceLoader.Load(_workspace.ConfigPath);

        Assert.Equal(["api", "web"], workspace.Services.Select(s => s.Name));
    }

    [Fact]
    public void Services_globs_find_other_layouts_and_name_overrides_the_folder()
    {
        _workspace.Write("orchestra.yml", "services: ['*', 'src/*']\n");
        _workspace.Service("gateway");
        _workspace.Service("src/Orders.Api", "name: orders\n");
        _workspace.Service("src/.cache");
        _workspace.Service("tests/Orders.Tests");

        var workspace = WorkspaceLoader.Load(_workspace.ConfigPath);

        Assert.Equal(["gateway", "orders"], workspace.Services.Select(s => s.Name));
        Assert.Equal(Path.Combine(_workspace.Root, "src", "Orders.Api"), workspace.FindService("orders")!.Directory);
    }

    [Fact]
    public void A_command_service_needs_no_project()
    {
        _workspace.Write("orchestra.yml", "");
        _workspace.Service("cache", "command: redis-server --port 6380\n", withProject: false);

        var cache = Assert.Single(WorkspaceLoader.Load(_workspace.ConfigPath).Services);

        Assert.Equal(ServiceKind.Command, cache.Kind);
        Assert.Null(cache.ProjectPath);
        Assert.Equal(["redis-server", "--port", "6380"], cache.Config.Command);
    }

    [Fact]
    public void The_workspace_is_found_from_a_subfolder_and_named_after_its_folder()
    {
        _workspace.Write("orchestra.yml", "");
        _workspace.Service("api");

        var path = WorkspaceLocator.Locate(Path.Combine(_workspace.Root, "api"), null);

        Assert.Equal(_workspace.ConfigPath, path);
        Assert.Equal(Path.GetFileName(_workspace.Root), WorkspaceLoader.Load(path).Name);
    }

    [Fact]
    public void No_workspace_above_the_folder_is_one_clear_sentence()
    {
        var e = Assert.Throws<WorkspaceNotFoundException>(() => WorkspaceLocator.Locate("/", null));

        Assert.StartsWith("No orchestra.yml in / or any folder above it;", e.Message);
    }

    [Fact]
    public void An_explicit_config_may_name_a_file_or_its_folder()
    {
        _workspace.Write("orchestra.yml", "");

        Assert.Equal(_workspace.ConfigPath, WorkspaceLocator.Locate("/", _workspace.ConfigPath));
        Assert.Equal(_workspace.ConfigPath, WorkspaceLocator.Locate("/", _workspace.Root));
        Assert.Throws<WorkspaceNotFoundException>(() => WorkspaceLocator.Locate("/", Path.Combine(_workspace.Root, "nope.yml")));
    }
}
