namespace Orchestra.Testing;

/// <summary>The Python service that many tests need beside the one they look at: it prints one line, then idles.</summary>
public static class PythonIdle
{
    /// <summary>A script that prints <paramref name="line"/> (what a <c>log</c> health check can wait for), then sleeps until stopped.</summary>
    public static string Printing(string line) => $"import time\nprint('{line}', flush=True)\nwhile True:\n    time.sleep(1)\n";
}
