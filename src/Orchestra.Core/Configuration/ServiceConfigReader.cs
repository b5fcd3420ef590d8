using System.Text.RegularExpressions;
using Orchestra.Configuration.Yaml;
using YamlDotNet.RepresentationModel;

namespace Orchestra.Configuration;

/// <summary>Reads one service.yml.</summary>
public static partial class ServiceConfigReader
{
    public const string FileName = "service.yml";

    public const int MaxScale = 100;

    private static readonly string[] TopKeys =
    [
        "name", "project", "command", "build", "args", "env", "env_file", "port", "scale", "depends_on", "health",
        "restart", "stop", "watch", "tests", "docker", "proxy", "framework",
    ];
    private static readonly string[] HealthKeys = ["http", "tcp", "log", "interval", "timeout"];
    private static readonly string[] StopKeys = ["signal", "timeout", "drain"];
    private static readonly string[] WatchKeys = ["include", "exclude", "test"];
    private static readonly string[] DockerKeys = ["image"];
    private static readonly string[] RestartWords = ["no", "on-failure", "always"];

    /// <summary>
    /// The longest service or vendor name. A name becomes file names under .orchestra/ with suffixes such as
    /// <c>.99.log.10</c> (255 bytes at most on Linux), environment variable names and log prefixes: 64 leaves
    /// ample room and is longer than any name a person types.
    /// </summary>
    public const int MaxNameLength = 64;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NameShape();

    /// <summary>Why a service or vendor name cannot be used (completing "a name …"), or null when it can.</summary>
    public static string? NameProblem(string name) =>
        name.Length > MaxNameLength ? $"must have at most {MaxNameLength} characters, not {name.Length}"
        : !NameShape().IsMatch(name) ? "must start with a letter or digit and hold only letters, digits, '-', '_' or '.'"
        : null;

    /// <summary>Reads and validates the file; throws <see cref="ConfigurationException"/> with every error found.</summary>
    public static ServiceConfig Read(string path)
    {
        path = Path.GetFullPath(path);
        return Parse(YamlFile.Load(path), path);
    }

    internal static ServiceConfig Parse(YamlNode? root, string path)
    {
        if (root is null)
            return new ServiceConfig { FilePath = path };
        if (root is not YamlMappingNode mapping)
            throw new ConfigurationException(YamlFile.At(path, root.Start), $"{FileName} must be a mapping of keys to values, got {YamlValues.Describe(root)}.");

        var errors = new ErrorSink();
        var map = new MappingReader(mapping, path, errors, TopKeys);
        var name = map.String("name");
        if (name is { } n && NameProblem(n.Value) is { } problem)
            errors.Add(n.Location, $"name {problem}, got '{Excerpt.Of(n.Value)}'.");

        var config = new ServiceConfig
        {
            FilePath = path,
            Name = name,
            Project = map.String("project"),
            Command = map.CommandLine("command"),
            Build = map.CommandLine("build"),
            Args = map.Strings("args") ?? [],
            Env = map.Env("env") ?? [],
            EnvFiles = map.StringList("env_file", allowSingle: true) ?? [],
            Port = map.Integer("port", 1, 65535),
            Scale = map.Integer("scale", 0, MaxScale)?.Value ?? 1,
            DependsOn = map.StringList("depends_on", allowSingle: true) ?? [],
            Health = ReadHealth(map),
            Restart = ReadRestart(map),
            Stop = ReadStop(map),
            Watch = ReadWatch(map),
            Tests = map.StringList("tests", allowSingle: true) ?? [],
            DockerImage = map.Section("docker", DockerKeys)?.String("image")?.Value,
            Proxy = map.Boolean("proxy"),
            Framework = map.String("framework")?.Value,
        };
        // Without the proxy every replica would bind the same port.
        if (config is { Proxy: false, Scale: > 1 })
            errors.Add(map.KeyLocation("proxy"), $"proxy: false binds the replica to the service's port itself, so scale must be 0 or 1, got {config.Scale}.");
        errors.ThrowIfAny();
        return config;
    }

    internal static RestartPolicy? ReadRestart(MappingReader map) => map.OneOf("restart", RestartWords)?.Value switch
    {
        "no" => RestartPolicy.No,
        "on-failure" => RestartPolicy.OnFailure,
        "always" => RestartPolicy.Always,
        _ => null,
    };

    private static HealthConfig? ReadHealth(MappingReader map)
    {
        return map.Section("health", HealthKeys) is { } health ? ReadProbe(health) with { Location = health.Location } : null;
    }

    private static HealthConfig ReadProbe(MappingReader health)
    {
        var interval = health.Duration("interval", DurationRange.Probe) ?? HealthConfig.DefaultInterval;
        var timeout = health.Duration("timeout", DurationRange.Probe) ?? HealthConfig.DefaultTimeout;
        var probes = new[] { "http", "tcp", "log" }.Where(health.Has).ToList();
        if (probes.Count > 1)
        {
            health.Errors.Add(health.KeyLocation(probes[1]), $"health takes one probe, http, tcp or log, but names {string.Join(" and ", probes)}.");
            return new HealthConfig(HealthKind.Default, null, interval, timeout);
        }
        if (health.String("http") is { } http)
        {
            if (!http.Value.StartsWith('/'))
                health.Errors.Add(http.Location, $"health.http must be a path starting with '/', got '{http.Value}'.");
            return new HealthConfig(HealthKind.Http, http.Value, interval, timeout);
        }
        if (health.String("log") is { } log)
        {
            try
            {
                _ = new Regex(log.Value);
            }
            catch (ArgumentException e)
            {
                health.Errors.Add(log.Location, $"health.log must be a regular expression: {e.Message}");
            }
            return new HealthConfig(HealthKind.Log, log.Value, interval, timeout);
        }
        return health.Boolean("tcp") switch
        {
            true => new HealthConfig(HealthKind.Tcp, null, interval, timeout),
            false => new HealthConfig(HealthKind.None, null, interval, timeout),
            // Only interval or timeout given: the probe stays the default one.
            null => new HealthConfig(HealthKind.Default, null, interval, timeout),
        };
    }

    private static StopConfig ReadStop(MappingReader map)
    {
        if (map.Section("stop", StopKeys) is not { } stop)
            return StopConfig.Default;
        return new StopConfig(stop.OneOf("signal", StopConfig.Signals)?.Value ?? StopConfig.Default.Signal, stop.Duration("timeout", DurationRange.Stop), stop.Duration("drain", DurationRange.Stop));
    }

    private static WatchConfig ReadWatch(MappingReader map)
    {
        if (map.Section("watch", WatchKeys) is not { } watch)
            return WatchConfig.Default;
        return new WatchConfig(watch.Strings("include", allowSingle: true) ?? [], watch.Strings("exclude", allowSingle: true) ?? [], watch.Boolean("test") ?? false);
    }
}
