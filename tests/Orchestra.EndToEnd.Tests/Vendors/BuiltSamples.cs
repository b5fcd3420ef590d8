using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests.Vendors;

/// <summary>
/// The repository's samples/ (catalog, storefront, worker), built once per run on first use (restore and MSBuild are
/// slow here), and copied into each test's workspace with their build output, so that <c>start --no-build</c> runs them.
/// </summary>
public static partial class BuiltSamples
{
    public static readonly string[] Services = ["catalog", "storefront", "worker"];

    private static readonly OncePerRun<TestFleet> Built = new(BuildAsync);

    private static async Task<TestFleet> BuildAsync()
    {
        var template = new TestFleet("samples-template");
        // The samples' own orchestra.yml replaces the template's.
        File.Delete(template.PathOf("orchestra.yml"));
        RepositoryRoot.CopyFolder("samples", template.Root);
        var build = await template.RunAsync("build");
        Assert.True(build.ExitCode == 0, $"the samples did not build: {build}");
        return template;
    }

    /// <summary>
    /// Copies the built samples into <paramref name="fleet"/>, named <paramref name="name"/>, with each service's
    /// service.yml changed by <paramref name="serviceYaml"/> (given the service and its sample service.yml).
    /// </summary>
    public static async Task CopyIntoAsync(TestFleet fleet, string name, Func<string, string, string> serviceYaml)
    {
        var template = await Built.GetAsync();
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets" })
            File.Copy(template.PathOf(file), fleet.PathOf(file), overwrite: true);
        var workspace = File.ReadAllText(template.PathOf("orchestra.yml")).Replace("name: shop-sample", $"name: {name}");
        Assert.Contains($"name: {name}", workspace);
        fleet.Write("orchestra.yml", workspace);
        foreach (var service in Services)
            fleet.CopyService(template.PathOf(service), service, serviceYaml(service, File.ReadAllText(template.PathOf($"{service}/service.yml"))));
    }

    /// <summary>
    /// Copies the built samples into <paramref name="fleet"/> as <see cref="CopyIntoAsync"/> does, with ports of their
    /// own (5101 and 5102 may be taken) and each service.yml changed further by <paramref name="more"/>; returns the ports.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, int>> CopyWithFreePortsAsync(TestFleet fleet, string name, Func<string, string>? more = null)
    {
        var ports = new Dictionary<string, int> { ["catalog"] = Ports.Free(), ["storefront"] = Ports.Free() };
        await CopyIntoAsync(fleet, name, (service, yaml) =>
        {
            var changed = ports.TryGetValue(service, out var port) ? PortLine().Replace(yaml, $"port: {port}") : yaml;
            Assert.True(!ports.ContainsKey(service) || changed != yaml, $"{service}'s sample service.yml has no port line: {yaml}");
            return more is null ? changed : more(changed);
        });
        return ports;
    }

    /// <summary>The samples' acceptance projects (tests/), as the repository has them; they are built by whoever runs them.</summary>
    public static void CopyAcceptanceInto(TestFleet fleet) => RepositoryRoot.CopyFolder("samples/tests", fleet.PathOf("tests"));

    [GeneratedRegex(@"^port: \d+$", RegexOptions.Multiline)]
    private static partial Regex PortLine();
}
