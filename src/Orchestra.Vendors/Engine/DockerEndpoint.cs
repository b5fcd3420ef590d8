using Orchestra.Errors;

namespace Orchestra.Vendors.Engine;

/// <summary>Where the Docker engine answers: <c>DOCKER_HOST</c> when set, else the usual Unix socket.</summary>
public sealed record DockerEndpoint(Uri Uri)
{
    public const string DefaultAddress = "unix:///var/run/docker.sock";

    /// <summary>The endpoint <paramref name="dockerHost"/> (the value of <c>DOCKER_HOST</c>, or null) names.</summary>
    /// <exception cref="DockerHostException">The value is not a unix:// or tcp:// address.</exception>
    public static DockerEndpoint From(string? dockerHost)
    {
        var address = string.IsNullOrWhiteSpace(dockerHost) ? DefaultAddress : dockerHost.Trim();
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https"))
            throw new DockerHostException(address);
        return new DockerEndpoint(uri);
    }

    /// <summary>The endpoint of this process's <c>DOCKER_HOST</c>.</summary>
    public static DockerEndpoint FromEnvironment() => From(Environment.GetEnvironmentVariable("DOCKER_HOST"));

    /// <summary>How the user wrote it: <c>unix:///var/run/docker.sock</c>, <c>tcp://host:2375</c>.</summary>
    public override string ToString() => Uri.Scheme == "unix" ? $"unix://{Uri.AbsolutePath}" : Uri.ToString().TrimEnd('/');
}

/// <summary><c>DOCKER_HOST</c> holds something that is not an engine address.</summary>
public sealed class DockerHostException(string value)
    : OrchestraException($"DOCKER_HOST is '{value}', which is not an engine address such as unix:///var/run/docker.sock or tcp://127.0.0.1:2375.", FailureKind.Usage)
{
    public string Value { get; } = value;
}
