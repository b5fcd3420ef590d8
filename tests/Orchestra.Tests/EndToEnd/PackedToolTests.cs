using System.IO.Compression;
using System.Text.Json;

namespace Orchestra.Tests.EndToEnd;

/// <summary>
/// The tool as a user gets it: packed, installed into a tool path from the packed folder, and run as a
/// separate process on a copy of samples/.
/// </summary>
[StartsEarly]
public sealed class PackedToolTests(PackedPackages packages) : IClassFixture<PackedPackages>, IDisposable
{
    private readonly TempWorkspace _temp = new();

    public void Dispose() => _temp.Dispose();


    private static bool HasReadyToRunCode(ZipArchiveEntry entry)
    {
        using var image = new MemoryStream();
        using (var stream = entry.Open())
            stream.CopyTo(image);
        image.Position = 0;
        using var reader = new System.Reflection.PortableExecutable.PEReader(image);
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    [Fact]
    public async Task The_packed_tool_installs_and_reads_the_samples()
    {
        var samples = Path.Combine(_temp.Root, "samples");
        using (var zip = ZipFile.OpenRead(packages.ToolPackage))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("schemas/orchestra.schema.json", entries);
            Assert.Contains("schemas/service.schema.json", entries);
            Assert.Contains(entries, e => e.EndsWith("/dotnet-orchestra.dll"));
            Assert.Contains(entries, e => e.EndsWith("DotnetToolSettings.xml"));

            // One portable package, run by `dotnet`, whose own assemblies carry linux-x64 ReadyToRun code.
            Assert.All(entries.Where(e => e.StartsWith("tools/")), e => Assert.StartsWith("tools/net10.0/any/", e));
            var orchestraAssemblies = zip.Entries.Where(e => e.Name.StartsWith("Orchestra.") && e.Name.EndsWith(".dll")).ToList();
            Assert.Equal(5, orchestraAssemblies.Count);
            Assert.All(orchestraAssemblies.Append(zip.GetEntry("tools/net10.0/any/dotnet-orchestra.dll")!),
                entry => Assert.True(HasReadyToRunCode(entry), $"{entry.FullName} has no ReadyToRun code"));
        }

        RepositoryRoot.CopyFolder("samples", samples);
        var config = await PackedPackages.RunAsync(packages.Tool, ["config", "--json"], Path.Combine(samples, "storefront"));

        Assert.True(config.ExitCode == 0, config.StandardError);
        var shownVersion = await PackedPackages.RunAsync(packages.Tool, ["--version"], samples);
        Assert.Contains(PackedPackages.Version, shownVersion.StandardOutput);
        using var json = JsonDocument.Parse(config.StandardOutput);
        Assert.Equal(samples, json.RootElement.GetProperty("root").GetString());
        var services = json.RootElement.GetProperty("services").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s);
        Assert.Equal(["catalog", "storefront", "worker"], services.Keys);
        Assert.Equal(5101, services["catalog"].GetProperty("port").GetInt32());
        Assert.Equal(["catalog"], services["storefront"].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("log", services["worker"].GetProperty("health").GetProperty("kind").GetString());
        Assert.All(services.Values, s => Assert.Equal("project", s.GetProperty("kind").GetString()));
    }
}
