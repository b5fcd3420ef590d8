using Orchestra.Configuration;
using Orchestra.Runtime.Replicas;

namespace Orchestra.Supervisor;

/// <summary>
/// The one hidden setting of the supervisor, for the end-to-end tests only (docs/runtime.md): <see cref="Backoff"/>
/// names the first restart delay, and the whole restart policy runs on that scale, so that a crash loop of ten
/// failures takes seconds instead of minutes. Nothing else of the runner can be changed from outside.
/// </summary>
public static class TestSettings
{
    /// <summary>The environment variable; a duration such as <c>50ms</c>.</summary>
    public const string Backoff = "ORCHESTRA_TEST_BACKOFF";

    /// <summary>The runner's options, standard unless <see cref="Backoff"/> is set in <paramref name="environment"/>.</summary>
    /// <exception cref="ArgumentException">The variable is set but holds no positive duration: a typo must not silently run the real backoff.</exception>
    public static RuntimeOptions RuntimeOptions(Func<string, string?> environment)
    {
        var options = new RuntimeOptions();
        if (environment(Backoff) is not { } text)
            return options;
        if (!DurationParser.TryParse(text, out var initial) || initial <= TimeSpan.Zero)
            throw new ArgumentException($"{Backoff}={text} is not {DurationParser.Expected}.");
        return options with { Backoff = options.Backoff.StartingAt(initial) };
    }
}
