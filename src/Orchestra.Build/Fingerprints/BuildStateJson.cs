using System.Text.Json.Serialization;

namespace Orchestra.Build.Fingerprints;

/// <summary>Source-generated serialization of the build's state files (fingerprints, cached evaluations): no reflection.</summary>
[JsonSerializable(typeof(InputFingerprint))]
[JsonSerializable(typeof(CachedEvaluation))]
public sealed partial class BuildStateJson : JsonSerializerContext;
