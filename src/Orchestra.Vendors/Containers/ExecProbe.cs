using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestra.Runtime.Health;
using Orchestra.Vendors.Engine;

namespace Orchestra.Vendors.Containers;

/// <summary>Healthy when a command run in the container exits with 0 (<c>pg_isready</c>, <c>redis-cli ping</c>).</summary>
public sealed class ExecProbe(DockerEngine engine, Func<string?> containerId, IReadOnlyList<string> command) : IHealthProbe
{
    public bool WatchesLiveness => true;

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        if (containerId() is not { } id)
            return false;
        try
        {
            var exec = await engine.Client.Exec.CreateContainerExecAsync(id, new ContainerExecCreateParameters
            {
                Cmd = [.. command],
                AttachStdout = true,
                AttachStderr = true,
            }, cancellationToken);
            // Its output is read to the end, which is when the command ended: no polling for the exit code.
            using (var output = await engine.Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { Detach = false }, cancellationToken))
                await output.ReadOutputToEndAsync(cancellationToken);
            var result = await engine.Client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken);
            return !result.Running && result.ExitCode == 0;
        }
        catch (DockerApiException)
        {
            // Not running (yet, or any more), or the command is not in the image: not healthy.
            return false;
        }
    }
}
