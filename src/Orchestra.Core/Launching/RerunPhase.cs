using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestra.Launching;

/// <summary>
/// What a rerun on change is doing before it replaces a service's replicas: <c>ps</c> shows it while it lasts, and a
/// failed rerun says in which phase it stopped. On the wire as its name in camelCase (<c>building</c>, <c>testing</c>).
/// </summary>
[JsonConverter(typeof(RerunPhaseWords))]
public enum RerunPhase
{
    /// <summary>The service is being built and evaluated.</summary>
    Building,
    /// <summary>Its unit test projects are being built and run (<c>watch.test: true</c>).</summary>
    Testing,
}

/// <summary>Writes <see cref="RerunPhase"/> as its name in camelCase.</summary>
public sealed class RerunPhaseWords() : JsonStringEnumConverter<RerunPhase>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);

/// <summary>
/// A line the hidden <c>__prepare</c> command prints on standard output as it enters a phase, so that the supervisor,
/// which reads its output while it runs, can show the phase. The rest of its output is the build's, for people.
/// </summary>
public sealed record RerunProgress(RerunPhase Phase)
{
    /// <summary>What starts a progress line; the JSON of the record follows.</summary>
    public const string Prefix = "##orchestra-rerun ";
}
