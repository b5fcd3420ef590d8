using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.State;
using Spectre.Console;

namespace Orchestra.Cli.Output;

/// <summary>The tables of <c>config</c>.</summary>
internal static class ConfigTables
{
    /// <param name="vendorPorts">The host ports assigned to the vendors' ports so far.</param>
    public static void Write(Workspace workspace, VendorPortTable vendorPorts, IAnsiConsole console)
    {
        console.MarkupLine($"[bold]{Markup.Escape(workspace.Name)}[/]  {Markup.Escape(workspace.Config.FilePath)}");
        var services = new Table().Border(TableBorder.Simple)
            .AddColumns("SERVICE", "KIND", "RUNS", "PORT", "SCALE", "HEALTH", "RESTART", "DEPENDS ON");
        foreach (var service in workspace.Services)
        {
            var runs = service.Config.Command is { } command
                ? string.Join(' ', command)
                : Path.GetRelativePath(workspace.Root, service.ProjectPath!);
            services.AddRow(
                Markup.Escape(service.Name),
                service.Kind == ServiceKind.Project ? "project" : "command",
                Markup.Escape(runs),
                service.Port?.ToString() ?? "-",
                service.Scale.ToString(),
                Markup.Escape(Words.Of(service.Health)),
                Words.Of(service.Restart),
                Markup.Escape(string.Join(", ", service.DependsOn)));
        }
        if (workspace.Services.Count == 0)
            console.MarkupLine("No services: add a folder with a service.yml.");
        else
            console.Write(services);

        if (workspace.Vendors.Count == 0)
            return;
        var vendors = new Table().Border(TableBorder.Simple).AddColumns("VENDOR", "IMAGE", "PORTS", "HEALTH", "DEPENDS ON", "VOLUMES");
        foreach (var vendor in workspace.Vendors)
        {
            vendors.AddRow(
                Markup.Escape(vendor.Name),
                Markup.Escape(vendor.Image),
                Markup.Escape(string.Join(", ", vendor.Ports.Select(p => PortText(vendor, p, vendorPorts)))),
                Markup.Escape(Words.Of(vendor.Health)),
                Markup.Escape(string.Join(", ", vendor.DependsOn.Select(d => d.Value))),
                Markup.Escape(string.Join(", ", vendor.Volumes)));
        }
        console.Write(vendors);
    }

    /// <summary><c>HOST:CONTAINER</c> as published, or what is left to choose.</summary>
    private static string PortText(VendorConfig vendor, VendorPort port, VendorPortTable vendorPorts) =>
        vendorPorts.HostPort(vendor.Name, port.ContainerPort) is { } host
            ? $"{host}:{port.ContainerPort}"
            : $"{port.ContainerPort} (host port chosen at first start)";
}
