using Orchestra.Discovery;
using Orchestra.Selection;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.Selection;

public sealed class SelectionTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Workspace _workspace;

    public SelectionTests()
    {
        _temp.Write("orchestra.yml", "");
        foreach (var name in new[] { "api", "catalog", "web" })
            _temp.Service(name);
        _workspace = WorkspaceLoader.Load(_temp.ConfigPath);
    }

    public void Dispose() => _temp.Dispose();

    private string[] Select(params string[] args) => ServiceSelector.Select(_workspace, args).Select(s => s.Name).ToArray();

    [Fact]
    public void Nothing_selects_every_service() => Assert.Equal(["api", "catalog", "web"], Select());

    [Fact]
    public void Names_select_those_services_in_workspace_order() => Assert.Equal(["api", "web"], Select("web", "api"));

    [Fact]
    public void A_tilde_excludes() => Assert.Equal(["api", "web"], Select("~catalog"));

    [Fact]
    public void Mixing_names_and_exclusions_is_an_error()
    {
        var e = Assert.Throws<SelectionException>(() => Select("api", "~web"));

        Assert.Equal("Select services either by name (api) or by exclusion (~web), not both.", e.Message);
    }

    [Theory]
    [InlineData("catalgo", "There is no service named 'catalgo' (known services: api, catalog, web). Did you mean 'catalog'?")]
    [InlineData("~zzz", "There is no service named 'zzz' (known services: api, catalog, web).")]
    public void An_unknown_name_is_an_error_naming_the_known_services(string argument, string message)
    {
        var e = Assert.Throws<SelectionException>(() => Select(argument));

        Assert.Equal(message, e.Message);
    }
}
