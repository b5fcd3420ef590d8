using System.Text.Encodings.Web;
using System.Text.Json;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.State;

namespace Orchestra.Cli.Output;

/// <summary>
/// Writes <c>config --json</c>. A hand-written writer rather than reflection serialization, because every
/// <c>config --json</c> call pays JIT start-up and this keeps it to one small method.
/// </summary>
internal static class ConfigJsonWriter
{
    /// <param name="vendorPorts">The host ports assigned to the vendors' ports so far.</param>
    public static void Write(Workspace workspace, VendorPortTable vendorPorts, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("name", workspace.Name);
            json.WriteString("root", workspace.Root);
            json.WriteString("configFile", workspace.Config.FilePath);
            json.WriteStartArray("services");
            foreach (var service in workspace.Services)
                WriteService(json, service);
            json.WriteEndArray();
            json.WriteStartArray("vendors");
            foreach (var vendor in workspace.Vendors)
                WriteVendor(json, vendor, vendorPorts);
            json.WriteEndArray();
            WriteStrings(json, "acceptance", workspace.Config.Acceptance);
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteService(Utf8JsonWriter json, ServiceDefinition service)
    {
        var config = service.Config;
        json.WriteStartObject();
        json.WriteString("name", service.Name);
        json.WriteString("kind", service.Kind == ServiceKind.Project ? "project" : "command");
        json.WriteString("directory", service.Directory);
        WriteOptional(json, "project", service.ProjectPath);
        if (config.Command is { } command)
            WriteStrings(json, "command", command);
        if (config.Build is { } build)
            WriteStrings(json, "build", build);
        WriteStrings(json, "args", config.Args);
        if (service.Port is { } port)
            json.WriteNumber("port", port);
        else
            json.WriteNull("port");
        json.WriteNumber("scale", service.Scale);
        WriteStrings(json, "dependsOn", service.DependsOn.ToList());
        json.WriteString("restart", Words.Of(service.Restart));
        json.WriteStartObject("health");
        json.WriteString("kind", service.Health.Kind.ToString().ToLowerInvariant());
        WriteOptional(json, "target", service.Health.Target);
        json.WriteString("interval", DurationParser.Format(service.Health.Interval));
        json.WriteString("timeout", DurationParser.Format(service.Health.Timeout));
        json.WriteEndObject();
        json.WriteStartObject("stop");
        json.WriteString("signal", config.Stop.Signal);
        json.WriteString("timeout", DurationParser.Format(service.StopTimeout));
        json.WriteEndObject();
        WriteStrings(json, "tests", config.Tests.Select(t => t.Value).ToList());
        WriteOptional(json, "framework", config.Framework);
        json.WriteEndObject();
    }

    private static void WriteVendor(Utf8JsonWriter json, VendorConfig vendor, VendorPortTable vendorPorts)
    {
        json.WriteStartObject();
        json.WriteString("name", vendor.Name);
        json.WriteString("image", vendor.Image);
        json.WriteStartArray("ports");
        foreach (var port in vendor.Ports)
        {
            json.WriteStartObject();
            json.WriteNumber("container", port.ContainerPort);
            // Null until the first start chooses it.
            if (vendorPorts.HostPort(vendor.Name, port.ContainerPort) is { } host)
                json.WriteNumber("host", host);
            else
                json.WriteNull("host");
            json.WriteBoolean("fixed", port.HostPort is not null);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteStrings(json, "dependsOn", vendor.DependsOn.Select(d => d.Value).ToList());
        json.WriteStartObject("health");
        json.WriteString("kind", vendor.Health.Kind.ToString().ToLowerInvariant());
        WriteStrings(json, "command", vendor.Health.Command);
        json.WriteString("interval", DurationParser.Format(vendor.Health.Interval));
        json.WriteString("timeout", DurationParser.Format(vendor.Health.Timeout));
        json.WriteEndObject();
        json.WriteStartObject("stop");
        // Null: the image's own StopSignal, else SIGTERM.
        WriteOptional(json, "signal", vendor.Stop.Signal);
        json.WriteString("timeout", DurationParser.Format(vendor.Stop.Timeout));
        json.WriteEndObject();
        WriteStrings(json, "volumes", vendor.Volumes.Select(v => v.ToString()).ToList());
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
