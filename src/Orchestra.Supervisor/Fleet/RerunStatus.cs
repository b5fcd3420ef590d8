using System.Collections.Concurrent;
using Orchestra.Launching;

namespace Orchestra.Supervisor.Fleet;

/// <summary>Why the last rerun of a service did not replace its replicas: the phase it failed in and what failed, a line each.</summary>
internal sealed record RerunFailure(RerunPhase FailedIn, IReadOnlyList<string> Errors);

/// <summary>The failed last rerun of each service, kept until one succeeds; read by status requests, which do not take the gate.</summary>
internal sealed class RerunFailures : ConcurrentDictionary<string, RerunFailure>;

/// <summary>The phase of each service's rerun while it builds or tests; read by status requests, which do not take the gate.</summary>
internal sealed class RerunPhases : ConcurrentDictionary<string, RerunPhase>;
