using Orchestra.Discovery;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.Discovery;

public sealed class DependencyOrderTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Workspace _workspace;

    public DependencyOrderTests()
    {
        _temp.Write("orchestra.yml", "vendors:\n  db: { image: postgres:16 }\n");
        _temp.Service("catalog", "depends_on: [db]\n");
        _temp.Service("orders", "depends_on: [catalog]\n");
        _temp.Service("web", "depends_on: [orders, catalog]\n");
        _temp.Service("worker");
        _workspace = WorkspaceLoader.Load(_temp.ConfigPath);
    }

    public void Dispose() => _temp.Dispose();

    private static string[][] Names(IReadOnlyList<IReadOnlyList<ServiceDefinition>> waves) =>
        waves.Select(w => w.Select(s => s.Name).ToArray()).ToArray();

    [Fact]
    public void Waves_put_each_service_after_everything_it_depends_on()
    {
        Assert.Equal([["catalog", "worker"], ["orders"], ["web"]], Names(DependencyOrder.Waves(_workspace.Services)));
    }

    [Fact]
    public void Stop_waves_are_the_reverse()
    {
        Assert.Equal([["web"], ["orders"], ["catalog", "worker"]], Names(DependencyOrder.StopWaves(_workspace.Services)));
    }

    [Fact]
    public void A_selection_brings_its_dependencies_but_not_its_dependents()
    {
        var selection = DependencyOrder.WithDependencies(_workspace, [_workspace.FindService("orders")!]);

        Assert.Equal(["catalog", "orders"], selection.Select(s => s.Name));
    }
}
