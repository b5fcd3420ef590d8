using Orchestra.Discovery;
using Orchestra.Errors;
using Orchestra.Launching;
using Orchestra.Runtime.Replicas;
using Orchestra.Runtime.State;
using Orchestra.Supervisor.Control;
using Orchestra.Vendors.Containers;
using Orchestra.Vendors.Vendors;

namespace Orchestra.Supervisor.Fleet;

/// <summary>
/// The replicas of services launched with <c>--docker</c>: before any runs, the engine must answer, the image be there
/// and the workspace's network exist; each then runs in a <see cref="ContainerRunner"/>, behind the same seam as a process.
/// </summary>
internal sealed class ContainerReplicas(LoadedWorkspace workspace, DockerConnection docker, RuntimeOptions options)
{
    /// <summary>
    /// Gets the engine, the image and the network ready for the replicas of <paramref name="service"/>, when its launch
    /// runs it in containers; returns why it cannot run, as one sentence, or null.
    /// </summary>
    public async Task<string?> PrepareAsync(ServiceDefinition service, LaunchSpec launch, Func<ControlEvent, Task> progress, CancellationToken cancellationToken)
    {
        if (launch.Container is not { } container)
            return null;
        var current = workspace.Current;
        try
        {
            // The engine of the shell that launched it, as for the vendors.
            var engine = await docker.ConnectAsync(launch.Options.Environment.GetValueOrDefault("DOCKER_HOST"), cancellationToken);
            await new ImagePuller(engine).EnsureAsync(container.Image, message => progress(new ControlEvent { Service = service.Name, Message = message }), cancellationToken);
            await new ContainerCatalog(engine).EnsureNetworkAsync(VendorContainers.NetworkOf(current), current.Root, cancellationToken);
            return null;
        }
        catch (ImageUnavailableException e)
        {
            var file = Path.GetRelativePath(current.Root, service.Config.FilePath);
            return $"Service '{service.Name}' cannot run in a container: the image '{e.Image}' is not on the Docker engine and cannot be pulled ({e.Reason.TrimEnd('.')}); "
                + $"set docker.image in {file} to an image you have, or docker pull or docker tag one under that name.";
        }
        catch (OrchestraException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Removes the workspace's network once nothing is on it any more (no vendor, no replica): the engine has room for
    /// few bridge networks, so a stopped workspace does not keep one.
    /// </summary>
    public async Task ReleaseNetworkAsync(CancellationToken cancellationToken)
    {
        if (docker.Current is { } engine)
            await new ContainerCatalog(engine).RemoveNetworkIfUnusedAsync(VendorContainers.NetworkOf(workspace.Current), workspace.Current.Root, cancellationToken);
    }

    /// <summary>The runner of a replica whose spec runs in a container; <see cref="PrepareAsync"/> connected the engine.</summary>
    public IReplicaRunner RunnerFor(ReplicaSpec spec, ReplicaRecord? recorded)
    {
        var engine = docker.Current ?? throw new InvalidOperationException($"No Docker engine is connected for {spec.Service}.{spec.Replica}.");
        var service = workspace.Current.FindService(spec.Service) ?? throw new InvalidOperationException($"Service '{spec.Service}' is not in the workspace.");
        // A process replica's record names a pid that is not this container's.
        return new ContainerRunner(ServiceContainers.SpecOf(workspace.Current, service, spec), engine, options, recorded is null ? null : recorded with { Pid = 0, StartTime = 0 });
    }
}
