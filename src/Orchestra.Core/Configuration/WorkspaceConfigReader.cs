using System.Globalization;
using Orchestra.Configuration.Yaml;
using YamlDotNet.RepresentationModel;

namespace Orchestra.Configuration;

/// <summary>Reads orchestra.yml.</summary>
public static class WorkspaceConfigReader
{
    public const string FileName = "orchestra.yml";

    /// <summary>The Orchestra commands that may carry their own <c>commands.&lt;name&gt;</c> settings.</summary>
    public static readonly IReadOnlyList<string> CommandNames =
        ["start", "stop", "restart", "ps", "logs", "test", "vendors", "scale", "build", "config", "env"];

    private static readonly string[] TopKeys =
        ["name", "env", "env_file", "services", "before", "after", "commands", "vendors", "acceptance", "defaults"];
    private static readonly string[] CommandKeys = ["env", "before", "after"];
    private static readonly string[] VendorKeys = ["image", "ports", "env", "volumes", "depends_on", "health", "stop", "connection_string"];
    private static readonly string[] VendorHealthKeys = ["command", "tcp", "interval", "timeout"];
    private static readonly string[] VendorStopKeys = ["signal", "timeout"];
    private static readonly string[] DefaultsKeys = ["restart", "stop_timeout"];

    /// <summary>Reads and validates the file; throws <see cref="ConfigurationException"/> with every error found.</summary>
    public static WorkspaceConfig Read(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        return Parse(YamlFile.Load(path), path);
    }

    internal static WorkspaceConfig Parse(YamlNode? root, string path)
    {
        var errors = new ErrorSink();
        if (root is null)
            return new WorkspaceConfig { FilePath = path };
        if (root is not YamlMappingNode mapping)
            throw new ConfigurationException(YamlFile.At(path, root.Start), $"{FileName} must be a mapping of keys to values, got {YamlValues.Describe(root)}.");

        var map = new MappingReader(mapping, path, errors, TopKeys);
        // Read first: a vendor's stop timeout falls back to it.
        var defaults = ReadDefaults(map);
        var config = new WorkspaceConfig
        {
            FilePath = path,
            Name = map.String("name")?.Value,
            Env = map.Env("env") ?? [],
            EnvFiles = map.StringList("env_file", allowSingle: true) ?? [],
            ServiceGlobs = map.Strings("services") is { Count: > 0 } globs ? globs : ["*"],
            Hooks = ReadHooks(map),
            Commands = ReadCommands(map),
            Vendors = ReadVendors(map, defaults),
            Acceptance = map.Strings("acceptance") ?? [],
            Defaults = defaults,
        };
        errors.ThrowIfAny();
        return config;
    }

    internal static HookSet ReadHooks(MappingReader map) =>
        map.Has("before") || map.Has("after")
            ? new HookSet(map.Strings("before", allowSingle: true) ?? [], map.Strings("after", allowSingle: true) ?? [])
            : HookSet.None;

    private static Dictionary<string, CommandSettings> ReadCommands(MappingReader map)
    {
        var commands = new Dictionary<string, CommandSettings>(StringComparer.Ordinal);
        if (map.Section("commands", CommandNames) is not { } section)
            return commands;
        foreach (var name in CommandNames)
        {
            if (section.Section(name, CommandKeys) is { } command)
                commands[name] = new CommandSettings(command.Env("env") ?? [], ReadHooks(command));
        }
        return commands;
    }

    private static List<VendorConfig> ReadVendors(MappingReader map, ServiceDefaults defaults)
    {
        var vendors = new List<VendorConfig>();
        if (map.Mapping("vendors") is not { } section)
            return vendors;
        foreach (var (keyNode, valueNode) in section.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            if (ServiceConfigReader.NameProblem(name) is { } problem)
            {
                map.Errors.Add(map.At(keyNode), $"a vendor name {problem}, got {YamlValues.Describe(keyNode)}.");
                continue;
            }
            if (valueNode is not YamlMappingNode vendorNode)
            {
                map.Errors.Add(map.At(valueNode), $"vendor '{name}' must be a mapping with at least an image, got {YamlValues.Describe(valueNode)}.");
                continue;
            }
            var vendor = new MappingReader(vendorNode, map.Path, map.Errors, VendorKeys);
            var image = vendor.String("image");
            if (image is null)
                map.Errors.Add(map.At(keyNode), $"vendor '{name}' needs an image, such as 'image: postgres:16'.");
            var ports = ReadVendorPorts(vendor);
            vendors.Add(new VendorConfig
            {
                Name = name,
                Location = map.At(keyNode),
                Image = image?.Value ?? "",
                Ports = ports,
                Env = vendor.Env("env") ?? [],
                Volumes = VendorVolumes.Read(vendor, System.IO.Path.GetDirectoryName(map.Path)!),
                DependsOn = vendor.StringList("depends_on", allowSingle: true) ?? [],
                Health = ReadVendorHealth(vendor, name, hasPorts: ports.Count > 0),
                Stop = ReadVendorStop(vendor, defaults),
                ConnectionString = vendor.String("connection_string")?.Value,
            });
        }
        return vendors;
    }

    private static List<VendorPort> ReadVendorPorts(MappingReader vendor)
    {
        var ports = new List<VendorPort>();
        foreach (var item in vendor.StringList("ports") ?? [])
        {
            var parts = item.Value.Split(':');
            int? host = null;
            if (parts.Length is 1 or 2 && parts.All(p => TryPort(p, out _)))
            {
                TryPort(parts[^1], out var container);
                if (parts.Length == 2 && TryPort(parts[0], out var fixedHost))
                    host = fixedHost;
                ports.Add(new VendorPort(container, host));
            }
            else
            {
                vendor.Errors.Add(item.Location, $"a vendor port must be 'CONTAINER' or 'HOST:CONTAINER' with ports from 1 to 65535, got '{item.Value}'.");
            }
        }
        return ports;
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    /// <summary>
    /// <c>health:</c> of a vendor: <c>none</c> (or absent), <c>{ command: [...] }</c> run in the container, or
    /// <c>{ tcp: true }</c>, a connect to the host port of its first port, which it must therefore have.
    /// </summary>
    private static VendorHealth ReadVendorHealth(MappingReader vendor, string name, bool hasPorts)
    {
        if (vendor.Value("health") is YamlScalarNode { Value: var word } scalar)
        {
            if (word != "none")
                vendor.Errors.Add(vendor.At(scalar), $"health must be 'none' or a mapping with command or tcp, got {YamlValues.Describe(scalar)}.");
            return VendorHealth.None;
        }
        if (vendor.Section("health", VendorHealthKeys) is not { } health)
            return VendorHealth.None;
        var interval = health.Duration("interval", DurationRange.Probe) ?? HealthConfig.DefaultInterval;
        var timeout = health.Duration("timeout", DurationRange.Probe) ?? HealthConfig.DefaultTimeout;
        if (health.Has("command") && health.Has("tcp"))
        {
            health.Errors.Add(health.KeyLocation("tcp"), "health takes one check, command or tcp, but names both.");
            return VendorHealth.None;
        }
        if (health.Has("command"))
        {
            return health.CommandLine("command") is { } command
                ? new VendorHealth(VendorHealthKind.Command, command, interval, timeout)
                : VendorHealth.None;
        }
        switch (health.Boolean("tcp"))
        {
            case true when !hasPorts:
                health.Errors.Add(health.KeyLocation("tcp"), $"vendor '{name}' has a tcp health check but no port to probe; add 'ports:'.");
                return VendorHealth.None;
            case true:
                return new VendorHealth(VendorHealthKind.Tcp, [], interval, timeout);
            case false:
                return VendorHealth.None with { Interval = interval, Timeout = timeout };
        }
        if (!health.Has("tcp"))
            health.Errors.Add(health.Location, "a vendor health check needs a command, such as 'command: [\"pg_isready\"]', or 'tcp: true'; 'health: none' has none.");
        return VendorHealth.None;
    }

    private static VendorStop ReadVendorStop(MappingReader vendor, ServiceDefaults defaults)
    {
        if (vendor.Section("stop", VendorStopKeys) is not { } stop)
            return new VendorStop(null, defaults.StopTimeout);
        return new VendorStop(stop.OneOf("signal", StopConfig.Signals)?.Value, stop.Duration("timeout", DurationRange.Stop) ?? defaults.StopTimeout);
    }

    private static ServiceDefaults ReadDefaults(MappingReader map)
    {
        if (map.Section("defaults", DefaultsKeys) is not { } defaults)
            return ServiceDefaults.Standard;
        return new ServiceDefaults(
            ServiceConfigReader.ReadRestart(defaults) ?? ServiceDefaults.Standard.Restart,
            defaults.Duration("stop_timeout", DurationRange.Stop) ?? ServiceDefaults.Standard.StopTimeout);
    }
}
