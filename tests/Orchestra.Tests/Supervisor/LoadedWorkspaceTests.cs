using Orchestra.Discovery;
using Orchestra.Supervisor.Fleet;
using Orchestra.Testing;

namespace Orchestra.Tests.Supervisor;

/// <summary>A start reads the workspace once in the command and once in a supervisor it started, not again for the request.</summary>
public sealed class LoadedWorkspaceTests : IDisposable
{
    private readonly TempWorkspace _temp = new("loads");
    private int _loads;

    public LoadedWorkspaceTests()
    {
        _temp.Write("api/service.yml", "command: [\"/bin/true\"]\n");
    }

    private Workspace Load(string path)
    {
        _loads++;
        return WorkspaceLoader.Load(path);
    }

    [Fact]
    public void A_command_that_read_the_workspace_before_the_supervisor_did_makes_it_read_nothing_again()
    {
        var command = WorkspaceLoader.Load(_temp.ConfigPath);
        var loaded = new LoadedWorkspace(WorkspaceLoader.Load(_temp.ConfigPath), Load);

        Assert.Same(loaded.Current, loaded.ReloadUnlessNewer(command.ReadAt));
        Assert.Equal(0, _loads);
    }

    [Fact]
    public void A_command_that_read_it_after_the_supervisor_did_has_it_read_again_with_its_changes()
    {
        var loaded = new LoadedWorkspace(WorkspaceLoader.Load(_temp.ConfigPath), Load);
        _temp.Write("web/service.yml", "command: [\"/bin/true\"]\n");
        var command = WorkspaceLoader.Load(_temp.ConfigPath);

        var current = loaded.ReloadUnlessNewer(command.ReadAt);

        Assert.Equal(1, _loads);
        Assert.NotNull(current.FindService("web"));
        Assert.Same(current, loaded.Current);
    }

    [Fact]
    public void A_request_that_does_not_say_when_it_read_has_it_read_again()
    {
        var loaded = new LoadedWorkspace(WorkspaceLoader.Load(_temp.ConfigPath), Load);

        loaded.ReloadUnlessNewer(null);

        Assert.Equal(1, _loads);
    }

    public void Dispose() => _temp.Dispose();
}
