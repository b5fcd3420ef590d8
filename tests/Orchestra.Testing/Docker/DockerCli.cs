using System.Diagnostics;

namespace Orchestra.Testing.Docker;

/// <summary>
/// The <c>docker</c> command line, for what a test sets up or looks at beside the product (a container of a test
/// image, a command inside it). Test support only: the product talks to the engine's API.
/// </summary>
public static class DockerCli
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Runs <c>docker ARGS</c> to its end; the deadline only keeps a hung engine from hanging the suite.</summary>
    public static async Task<Result> TryRunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("docker")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var docker = Process.Start(info) ?? throw new InvalidOperationException("docker did not start.");
        var output = docker.StandardOutput.ReadToEndAsync();
        var error = docker.StandardError.ReadToEndAsync();
        try
        {
            await docker.WaitForExitAsync().WithDeadline();
        }
        catch (TimeoutException)
        {
            docker.Kill();
            throw new TimeoutException($"docker {string.Join(' ', args)} did not end within {Eventually.Deadline.TotalSeconds:0} s.");
        }
        return new Result(docker.ExitCode, (await output).Trim(), (await error).Trim());
    }

    /// <summary>Runs <c>docker ARGS</c> and returns what it printed; throws when it fails.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var result = await TryRunAsync(args);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"docker {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}");
        return result.Output;
    }

    /// <summary>The 127.0.0.1 port a container publishes its port on (<c>docker port</c>).</summary>
    public static async Task<int> PublishedPortAsync(string container, int port)
    {
        // One line, 127.0.0.1:PORT, for a port published on the loopback only.
        var binding = (await RunAsync("port", container, $"{port}/tcp")).Split('\n')[0];
        return int.Parse(binding[(binding.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
