using System.Text.Json;

namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>One replica as <c>ps --json</c> prints it (read here by name, as a script would).</summary>
public sealed record PsReplica(
    string Service,
    int Replica,
    int? Pid,
    string State,
    int? Port,
    int? ServicePort,
    DateTimeOffset? StartedAt,
    TimeSpan? TimeToHealthy,
    int Restarts,
    long? RssBytes,
    IReadOnlyList<string> LastLines,
    IReadOnlyList<string> BuildErrors,
    string? BuildError,
    string? LogFault,
    bool Watching)
{
    /// <summary>The image of a replica that runs in a container (a vendor, a service under <c>start --docker</c>).</summary>
    public string? Image { get; init; }

    /// <summary>The failing unit tests of the last rerun (<c>watch.test</c>), as <c>name: message</c>.</summary>
    public IReadOnlyList<string> TestFailures { get; init; } = [];

    /// <summary>What the service's rerun is doing now (<c>building</c>, <c>testing</c>), or null.</summary>
    public string? Rerun { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<PsReplica> Parse(string json) =>
        JsonSerializer.Deserialize<List<PsReplica>>(json, Json) ?? throw new InvalidDataException("ps --json printed null");
}
