using System.Text.Json.Serialization;
using Orchestra.Build.Testing;
using Orchestra.Supervisor.Control;

namespace Orchestra.Cli;

/// <summary>Source-generated JSON for the CLI's <c>--json</c> outputs.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(List<ReplicaStatus>))]
[JsonSerializable(typeof(UnitTestSummary))]
internal sealed partial class CliJson : JsonSerializerContext;
