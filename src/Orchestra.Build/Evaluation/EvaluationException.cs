using Orchestra.Errors;
namespace Orchestra.Build.Evaluation;

/// <summary>A service's project cannot be evaluated or cannot serve as the service; the message is one sentence.</summary>
public sealed class EvaluationException(string message) : Exception(message);

/// <summary>The SDK in use cannot build a service's target framework; a bad-usage error like a missing SDK.</summary>
public sealed class SdkTooOldException(string message) : OrchestraException(message, FailureKind.Usage);
