using Docker.DotNet;
using Docker.DotNet.Models;
using Version = System.Version;

namespace Orchestra.Bench.DockerProbe;

/// <summary>The calls whose shape differs between the two packages; Probe.cs holds everything they share.</summary>
static class Api
{
    public const string Package = "Docker.DotNet 3.125.15";

    /// <summary>The client as the library builds it with no endpoint given.</summary>
    public static DockerClient LibraryDefault(DelegatingHandler recorder) =>
        new DockerClientConfiguration(new Recording(recorder)).CreateClient();

    /// <summary>
    /// The client as Orchestra would build it: this package ignores DOCKER_HOST (its default is always
    /// unix:/var/run/docker.sock), so the caller reads it.
    /// </summary>
    public static DockerClient Connect(DelegatingHandler recorder, Version? apiVersion)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var endpoint = new Uri(string.IsNullOrEmpty(host) ? "unix:///var/run/docker.sock" : host);
        return new DockerClientConfiguration(endpoint, new Recording(recorder)).CreateClient(apiVersion);
    }

    public static Uri Endpoint(DockerClient client) => client.Configuration.EndpointBaseUri;

    public static void SetHealthcheck(CreateContainerParameters parameters, IList<string> test, TimeSpan interval) =>
        parameters.Healthcheck = new HealthConfig { Test = test, Interval = interval };

    /// <summary>The caller must say whether the container has a TTY; the other overloads are obsolete or lose the stream of origin.</summary>
    public static Task<MultiplexedStream> LogsAsync(DockerClient client, string id, ContainerLogsParameters parameters, CancellationToken ct) =>
        client.Containers.GetContainerLogsAsync(id, tty: false, parameters, ct);

    public static async Task<string> CreateExecAsync(DockerClient client, string containerId, IList<string> cmd, CancellationToken ct) =>
        (await client.Exec.ExecCreateContainerAsync(containerId,
            new ContainerExecCreateParameters { Cmd = cmd, AttachStdout = true, AttachStderr = true }, ct)).ID;

    public static Task<MultiplexedStream> StartExecAsync(DockerClient client, string execId, CancellationToken ct) =>
        client.Exec.StartAndAttachContainerExecAsync(execId, tty: false, ct);

    /// <summary>Credentials are this package's only hook on the HTTP handler chain.</summary>
    sealed class Recording(DelegatingHandler recorder) : Credentials
    {
        public override bool IsTlsCredentials() => false;

        public override HttpMessageHandler GetHandler(HttpMessageHandler innerHandler)
        {
            recorder.InnerHandler = innerHandler;
            return recorder;
        }
    }
}
