using System.Net.Sockets;
using Xunit;

namespace Orchestra.Testing.Docker;

/// <summary>
/// What a test that needs Docker calls first, as a <c>[SkippableFact]</c>: without an engine, or without the test
/// images, it is skipped with the reason; with <c>ORCHESTRA_REQUIRE_DOCKER=1</c> (CI sets it) it fails instead, so
/// that a machine that lost its engine cannot pass by skipping.
/// </summary>
public static class DockerRequirement
{
    public const string RequireVariable = "ORCHESTRA_REQUIRE_DOCKER";

    private static readonly TimeSpan PingDeadline = TimeSpan.FromSeconds(10);

    // One ping per test run: the engine does not come and go between tests.
    private static readonly Lazy<Task<string?>> EngineProblem = new(FindEngineProblemAsync);

    /// <summary>Returns when the engine answers and has the images; skips or fails the calling test otherwise.</summary>
    public static async Task EnsureAsync(params string[] images)
    {
        var problem = await EngineProblem.Value;
        if (problem is null && images.Length > 0)
        {
            using var engine = DockerEngine.FromEnvironment();
            problem = await ProblemAsync(engine, images);
        }
        if (problem is not null)
            throw Outcome(problem, Environment.GetEnvironmentVariable);
    }

    private static async Task<string?> FindEngineProblemAsync()
    {
        DockerEngine engine;
        try
        {
            engine = DockerEngine.FromEnvironment();
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        using (engine)
            return await ProblemAsync(engine, []);
    }

    /// <summary>Why a test cannot run against this engine and these images, or null when it can.</summary>
    public static async Task<string?> ProblemAsync(DockerEngine engine, IReadOnlyCollection<string> images)
    {
        using var deadline = new CancellationTokenSource(PingDeadline);
        try
        {
            await engine.PingAsync(deadline.Token);
            var missing = new List<string>();
            foreach (var image in images)
            {
                if (!await engine.HasImageAsync(image, deadline.Token))
                    missing.Add(image);
            }
            return missing.Count == 0
                ? null
                : $"Missing test images ({string.Join(", ", missing)}): build them with {TestImages.BuildScript}.";
        }
        catch (HttpRequestException e)
        {
            // The socket's own words say more than HttpClient's, but for a missing Unix socket .NET says "Cannot
            // assign requested address".
            var reason = e.InnerException switch
            {
                SocketException { SocketErrorCode: SocketError.AddressNotAvailable } => "no such socket",
                SocketException socket => socket.Message,
                _ => e.Message,
            };
            return $"No Docker engine answers at {engine.Host}: {reason}.";
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return $"No Docker engine answers at {engine.Host} within {PingDeadline.TotalSeconds:0} s.";
        }
    }

    /// <summary>What the test gets for a problem: a skip, or a failure when <see cref="RequireVariable"/> is 1.</summary>
    public static Exception Outcome(string problem, Func<string, string?> environment) =>
        environment(RequireVariable) == "1"
            ? new DockerRequiredException($"{problem} Docker is required here ({RequireVariable}=1).")
            : new SkipException(problem);
}

/// <summary>A test that needs Docker found none, where Docker is required.</summary>
public sealed class DockerRequiredException(string message) : Exception(message);
