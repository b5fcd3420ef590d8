using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.Models;
using Version = System.Version;

namespace Orchestra.Bench.DockerProbe;

/// <summary>The calls whose shape differs between the two packages; Probe.cs holds everything they share.</summary>
static class Api
{
    public const string Package = "Docker.DotNet.Enhanced 4.3.3";

    /// <summary>The client as the library builds it with no endpoint given (DOCKER_HOST, then the Docker context, then the Unix socket).</summary>
    public static DockerClient LibraryDefault(DelegatingHandler recorder) =>
        new DockerClientBuilder().WithAuthProvider(new Recording(recorder)).Build();

    /// <summary>The client as Orchestra would build it: the library's own resolution already honours DOCKER_HOST.</summary>
    public static DockerClient Connect(DelegatingHandler recorder, Version? apiVersion) =>
        new DockerClientBuilder().WithAuthProvider(new Recording(recorder)).WithApiVersion(apiVersion).Build();

    public static Uri Endpoint(DockerClient client) => client.Options.Endpoint;

    public static void SetHealthcheck(CreateContainerParameters parameters, IList<string> test, TimeSpan interval) =>
        parameters.Healthcheck = new HealthcheckConfig { Test = test, Interval = interval };

    /// <summary>The library inspects the container to learn whether its output is multiplexed (one extra request).</summary>
    public static Task<MultiplexedStream> LogsAsync(DockerClient client, string id, ContainerLogsParameters parameters, CancellationToken ct) =>
        client.Containers.GetContainerLogsAsync(id, parameters, ct);

    public static async Task<string> CreateExecAsync(DockerClient client, string containerId, IList<string> cmd, CancellationToken ct) =>
        (await client.Exec.CreateContainerExecAsync(containerId,
            new ContainerExecCreateParameters { Cmd = cmd, AttachStdout = true, AttachStderr = true }, ct)).ID;

    public static Task<MultiplexedStream> StartExecAsync(DockerClient client, string execId, CancellationToken ct) =>
        client.Exec.StartContainerExecAsync(execId, new ContainerExecStartParameters { Detach = false, TTY = false }, ct);

    /// <summary>The auth provider is this package's hook on the HTTP handler chain.</summary>
    sealed class Recording(DelegatingHandler recorder) : IAuthProvider
    {
        public bool TlsEnabled => false;

        public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler)
        {
            recorder.InnerHandler = handler;
            return recorder;
        }
    }
}
