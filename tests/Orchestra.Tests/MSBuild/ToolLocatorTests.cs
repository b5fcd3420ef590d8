using Orchestra.MSBuild;

namespace Orchestra.Tests.MSBuild;

/// <summary>Where the MSBuild targets look for the tool, on real folders and manifests.</summary>
public sealed class ToolLocatorTests : IDisposable
{
    private const string Dotnet = "/usr/bin/dotnet";
    private readonly TempWorkspace _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Workspace => _temp.PathOf("repo/shop");

    private string GlobalTools => _temp.PathOf("home/.dotnet/tools");

    private string Manifest(string folder, string tools, bool isRoot = false) =>
        _temp.Write($"{folder}/.config/dotnet-tools.json", $$"""{ "version": 1, "isRoot": {{(isRoot ? "true" : "false")}}, "tools": { {{tools}} } }""");

    private const string OrchestraEntry = """ "Orchestra": { "version": "1.0.0", "commands": ["dotnet-orchestra"] } """;

    [Fact]
    public void An_explicit_tool_path_wins_and_is_not_fallen_back_from()
    {
        var tool = _temp.Write("repo/shop/.tools/dotnet-orchestra", "");
        _temp.Write("home/.dotnet/tools/dotnet-orchestra", "");
        Manifest("repo", OrchestraEntry);

        Assert.Equal(new ToolLocation(tool, "", ToolSource.ToolPath, _temp.PathOf("repo/shop/.tools")), ToolLocator.Find(".tools", Workspace, Dotnet, GlobalTools));
        Assert.Null(ToolLocator.Find("missing", Workspace, Dotnet, GlobalTools));
    }

    [Fact]
    public void The_nearest_manifest_above_the_workspace_that_lists_orchestra_makes_it_a_local_tool()
    {
        _temp.Write("home/.dotnet/tools/dotnet-orchestra", "");
        Manifest("repo/shop", """ "dotnet-ef": { "version": "9.0.0", "commands": ["dotnet-ef"] } """);
        var manifest = Manifest("repo", OrchestraEntry);

        Assert.Equal(new ToolLocation(Dotnet, "tool run dotnet-orchestra --", ToolSource.LocalTool, manifest), ToolLocator.Find("", Workspace, Dotnet, GlobalTools));
    }

    [Fact]
    public void A_root_manifest_without_orchestra_ends_the_search_and_the_global_tool_is_used()
    {
        var global = _temp.Write("home/.dotnet/tools/dotnet-orchestra", "");
        Manifest("repo/shop", """ "dotnet-ef": { "version": "9.0.0", "commands": ["dotnet-ef"] } """, isRoot: true);
        Manifest("repo", OrchestraEntry);

        Assert.Equal(new ToolLocation(global, "", ToolSource.GlobalTool, GlobalTools), ToolLocator.Find("", Workspace, Dotnet, GlobalTools));
    }

    [Fact]
    public void No_tool_anywhere_is_null_and_a_broken_manifest_is_a_sentence_naming_it()
    {
        Directory.CreateDirectory(Workspace);
        Assert.Null(ToolLocator.Find("", Workspace, Dotnet, GlobalTools));

        var broken = _temp.Write("repo/shop/.config/dotnet-tools.json", "{ \"tools\": ");
        var error = Assert.Throws<InvalidDataException>(() => ToolLocator.Find("", Workspace, Dotnet, GlobalTools));
        Assert.StartsWith($"The tool manifest {broken} is not valid JSON", error.Message);
    }
}
