using System.IO.Compression;
using Orchestra.Build.Building;

namespace Orchestra.Build.Tests;

/// <summary>
/// A build restores only when something restore reads has changed since its last good restore (<c>RestoreStamps</c>):
/// a source edit alone, a rerun's usual change, skips NuGet altogether.
/// </summary>
public sealed class RestoreSkipTests
{
    private const string Package = "Orchestra.Test.Package";

    [Fact]
    public async Task A_source_edit_skips_restore_and_a_changed_Directory_Build_props_or_a_new_package_restores_again()
    {
        using var workspace = new BuildWorkspace()
            .Write("Directory.Build.props", "<Project />")
            .Service("app", BuildWorkspace.Console, "", "Console.WriteLine(\"one\");\n");

        var first = await workspace.BuildAsync();
        Assert.True(first.Succeeded);
        Assert.Equal(["app"], first.Restored);

        workspace.Write("app/Program.cs", "Console.WriteLine(\"two\");\n").Touch("app/Program.cs");
        var edited = await workspace.BuildAsync();
        Assert.Equal(["app"], edited.HandedToMSBuild);
        Assert.Empty(edited.Restored);
        Assert.True(edited.Succeeded);

        workspace.Write("Directory.Build.props", "<Project><PropertyGroup><Deterministic>true</Deterministic></PropertyGroup></Project>")
            .Touch("Directory.Build.props");
        var props = await workspace.BuildAsync();
        Assert.Equal(["app"], props.Evaluated);
        Assert.Equal(["app"], props.Restored);

        // A package that only the local feed has: the build succeeds only if the new reference was restored.
        WritePackage(workspace.PathOf($"packages/{Package.ToLowerInvariant()}.1.0.0.nupkg"));
        workspace.Write("app/App.csproj", BuildWorkspace.Console.Replace("</Project>",
            $"""<ItemGroup><PackageReference Include="{Package}" Version="1.0.0" /></ItemGroup></Project>""", StringComparison.Ordinal))
            .Touch("app/App.csproj");
        var package = await workspace.BuildAsync();
        Assert.True(package.Succeeded);
        Assert.Equal(["app"], package.Restored);
        Assert.Contains($"\"{Package}/1.0.0\"", await File.ReadAllTextAsync(workspace.PathOf("app/obj/project.assets.json")));

        workspace.Touch("app/Program.cs");
        Assert.Empty((await workspace.BuildAsync()).Restored);
    }

    /// <summary>A package with nothing but its manifest: enough for NuGet to restore it into the assets file.</summary>
    private static void WritePackage(string path)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var nuspec = new StreamWriter(zip.CreateEntry($"{Package}.nuspec").Open());
        nuspec.Write($"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata><id>{Package}</id><version>1.0.0</version><authors>orchestra</authors><description>test</description></metadata>
            </package>
            """);
    }
}

/// <summary>
/// What makes a build restore again although no file of the project's own changed. A class of its own, so that it runs
/// beside <see cref="RestoreSkipTests"/>: each builds a project from scratch several times.
/// </summary>
public sealed class RestoreAgainTests
{
    [Fact]
    public async Task A_deleted_assets_file_or_a_new_Directory_Build_props_above_the_project_restores_again()
    {
        using var workspace = new BuildWorkspace().Service("app", BuildWorkspace.Console, "", "Console.WriteLine(\"one\");\n");
        Assert.Equal(["app"], (await workspace.BuildAsync()).Restored);

        File.Delete(workspace.PathOf("app/obj/project.assets.json"));
        workspace.Touch("app/Program.cs");
        var deleted = await workspace.BuildAsync();
        Assert.Equal(["app"], deleted.Restored);
        Assert.True(deleted.Succeeded);

        // No file of the project's own folder changes, and it imported no Directory.Build.props before.
        workspace.Write("Directory.Build.props", "<Project />").Touch("app/Program.cs");
        var props = await workspace.BuildAsync();
        Assert.Equal(["app"], props.Restored);
        Assert.True(props.Succeeded);
    }
}
