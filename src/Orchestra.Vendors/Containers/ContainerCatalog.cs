using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestra.Vendors.Engine;

namespace Orchestra.Vendors.Containers;

/// <summary>The container <see cref="ContainerCatalog.EnsureAsync"/> made or found, and whether it runs already.</summary>
public sealed record EnsuredContainer(string Id, bool Running);

/// <summary>A workspace's container as Docker lists it; <see cref="Replica"/> is set for a service's replica (<c>start --docker</c>), null for a vendor.</summary>
public sealed record ContainerEntry(string Id, string Name, string Service, string Image, bool Running, string Status, IReadOnlyList<PublishedPort> Ports)
{
    public int? Replica { get; init; }

    public bool IsVendor => Replica is null;
}

/// <summary>
/// The workspace's containers in Docker: made from a spec, or reused when the one there was made from the same
/// configuration; found again by label; removed with their volumes when asked.
/// </summary>
public sealed class ContainerCatalog(DockerEngine engine)
{
    // Engine 1.41 does not refuse a second network of the same name: the replicas that start at once make it one at a time.
    private static readonly SemaphoreSlim NetworkCreation = new(1, 1);

    private readonly ImagePuller _images = new(engine);

    /// <summary>
    /// The container for <paramref name="spec"/>: the existing one when its configuration is unchanged (as it runs or
    /// not), else a new one, not started (the old one removed, its named volumes kept).
    /// </summary>
    /// <exception cref="ForeignContainerException">A container of that name is not the workspace's.</exception>
    /// <exception cref="ImageUnavailableException">The image is missing and cannot be pulled.</exception>
    public async Task<EnsuredContainer> EnsureAsync(ContainerSpec spec, Func<string, Task>? progress, CancellationToken cancellationToken)
    {
        if (await InspectAsync(spec.Name, cancellationToken) is { } existing)
        {
            if (!ContainerLabels.BelongsTo(existing.Config?.Labels, spec.Workspace))
                throw new ForeignContainerException(spec.Name, existing.ID[..12]);
            if (existing.Config?.Labels?.TryGetValue(ContainerLabels.Configuration, out var hash) == true && hash == spec.ConfigurationHash)
                return new EnsuredContainer(existing.ID, existing.State?.Running == true);
            if (progress is not null)
                await progress($"{spec.Service}: its configuration changed, making its container again");
            await engine.Client.Containers.RemoveContainerAsync(existing.ID, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        await _images.EnsureAsync(spec.Image, progress, cancellationToken);
        if (spec.Network is { } network)
            await EnsureNetworkAsync(network, spec.Workspace, cancellationToken);
        foreach (var volume in NamedVolumes(spec))
            await engine.Client.Volumes.CreateAsync(new VolumesCreateParameters { Name = volume, Labels = new Dictionary<string, string> { [ContainerLabels.Workspace] = spec.Workspace } }, cancellationToken);
        var created = await engine.Client.Containers.CreateContainerAsync(CreateParameters(spec), cancellationToken);
        return new EnsuredContainer(created.ID, Running: false);
    }

    /// <summary>
    /// Makes the workspace's network <paramref name="name"/> (a bridge, labelled as the workspace's) unless it exists.
    /// </summary>
    /// <exception cref="ForeignContainerException">A network of that name is not the workspace's.</exception>
    public async Task EnsureNetworkAsync(string name, string workspace, CancellationToken cancellationToken)
    {
        await NetworkCreation.WaitAsync(cancellationToken);
        try
        {
            var existing = (await engine.Client.Networks.ListNetworksAsync(null, cancellationToken)).FirstOrDefault(n => n.Name == name);
            if (existing is not null)
            {
                if (!ContainerLabels.BelongsTo(existing.Labels, workspace))
                    throw new ForeignContainerException(name, existing.ID[..12], "network");
                return;
            }
            await engine.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = name,
                Driver = "bridge",
                Labels = new Dictionary<string, string> { [ContainerLabels.Workspace] = workspace },
            }, cancellationToken);
        }
        finally
        {
            NetworkCreation.Release();
        }
    }

    /// <summary>Removes the workspace's network <paramref name="name"/> once no container is attached to it any more.</summary>
    public async Task RemoveNetworkIfUnusedAsync(string name, string workspace, CancellationToken cancellationToken)
    {
        var existing = (await engine.Client.Networks.ListNetworksAsync(null, cancellationToken)).FirstOrDefault(n => n.Name == name);
        if (existing is null || !ContainerLabels.BelongsTo(existing.Labels, workspace))
            return;
        var inspected = await engine.Client.Networks.InspectNetworkAsync(existing.ID, cancellationToken);
        if (inspected.Containers is { Count: > 0 })
            return;
        try
        {
            await engine.Client.Networks.DeleteNetworkAsync(existing.ID, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Conflict)
        {
            // Gone meanwhile, or a container joined it since: it stays for that one.
        }
    }

    /// <summary>Removes the container <paramref name="id"/>, running or not, with its anonymous volumes.</summary>
    public async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    /// <summary>The container named <paramref name="name"/>, or null.</summary>
    public async Task<ContainerInspectResponse?> InspectAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await engine.Client.Containers.InspectContainerAsync(name, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Every container labelled as <paramref name="workspace"/>'s, running or not.</summary>
    public async Task<IReadOnlyList<ContainerEntry>> ListAsync(string workspace, CancellationToken cancellationToken)
    {
        var found = await engine.Client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = ContainerLabels.FilterFor(workspace) }, cancellationToken);
        return found
            .Where(c => ContainerLabels.BelongsTo(c.Labels, workspace))
            .Select(c => new ContainerEntry(c.ID, c.Names.FirstOrDefault()?.TrimStart('/') ?? c.ID[..12],
                c.Labels.TryGetValue(ContainerLabels.Service, out var service) ? service : "", c.Image, c.State == "running", c.Status,
                c.Ports.Where(p => p.PublicPort > 0).Select(p => new PublishedPort(p.PrivatePort, p.PublicPort ?? 0)).Distinct().ToList())
            {
                Replica = c.Labels.TryGetValue(ContainerLabels.Replica, out var replica) && int.TryParse(replica, CultureInfo.InvariantCulture, out var number) ? number : null,
            })
            .OrderBy(c => c.Service, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Removes the vendor containers of <paramref name="workspace"/> (of the named ones only, when any are named), each
    /// stopped first with its own stop signal and timeout; with <paramref name="volumes"/>, also the named volumes of
    /// the workspace they used. Returns the names of the services whose containers were removed.
    /// </summary>
    public Task<IReadOnlyList<string>> RemoveAllAsync(string workspace, IReadOnlyCollection<string> services, bool volumes, CancellationToken cancellationToken) =>
        RemoveWhereAsync(workspace, c => c.IsVendor && (services.Count == 0 || services.Contains(c.Service)), volumes, cancellationToken);

    /// <summary>
    /// Removes the containers of the services' replicas (<c>start --docker</c>) of <paramref name="workspace"/> that
    /// no supervisor stopped: a killed one's, found by label. Returns the services whose containers were removed.
    /// </summary>
    public Task<IReadOnlyList<string>> RemoveReplicasAsync(string workspace, CancellationToken cancellationToken) =>
        RemoveWhereAsync(workspace, c => !c.IsVendor, volumes: false, cancellationToken);

    private async Task<IReadOnlyList<string>> RemoveWhereAsync(string workspace, Func<ContainerEntry, bool> which, bool volumes, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var container in (await ListAsync(workspace, cancellationToken)).Where(which))
        {
            await RemoveAsync(container.Id, workspace, volumes, cancellationToken);
            removed.Add(container.Service);
        }
        return removed;
    }

    private async Task RemoveAsync(string id, string workspace, bool volumes, CancellationToken cancellationToken)
    {
        var mounts = volumes && await InspectAsync(id, cancellationToken) is { } container
            ? container.Mounts.Where(m => m.Type == "volume").Select(m => m.Name).OfType<string>().ToList()
            : [];
        try
        {
            await engine.Client.Containers.StopContainerAsync(id, new ContainerStopParameters(), cancellationToken);
            await engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        foreach (var name in mounts)
        {
            var volume = await engine.Client.Volumes.InspectAsync(name, cancellationToken);
            if (ContainerLabels.BelongsTo(volume.Labels, workspace))
                await engine.Client.Volumes.RemoveAsync(name, force: false, cancellationToken);
        }
    }

    /// <summary>The names of the named volumes <paramref name="spec"/> mounts (not the host folders).</summary>
    public static IEnumerable<string> NamedVolumes(ContainerSpec spec) =>
        spec.Volumes.Select(v => v.Split(':')[0]).Where(source => !source.StartsWith('/') && !source.StartsWith('.'));

    private static CreateContainerParameters CreateParameters(ContainerSpec spec) => new()
    {
        Name = spec.Name,
        Image = spec.Image,
        // Empty: the engine takes the image's own command.
        Cmd = [.. spec.Command],
        Env = spec.Environment.Select(e => $"{e.Key}={e.Value}").ToList(),
        Labels = ContainerLabels.Of(spec),
        StopSignal = spec.StopSignal,
        StopTimeout = spec.StopTimeout,
        ExposedPorts = spec.Ports.ToDictionary(p => PortKey(p.ContainerPort), _ => new EmptyStruct()),
        HostConfig = new HostConfig
        {
            // Published on the loopback interface only: a laptop's vendors are not the network's.
            PortBindings = spec.Ports.ToDictionary(p => PortKey(p.ContainerPort),
                p => (IList<PortBinding>)[new PortBinding { HostIP = "127.0.0.1", HostPort = p.HostPort.ToString(CultureInfo.InvariantCulture) }]),
            Binds = [.. spec.Volumes],
            // Orchestra's runner restarts it, with the same backoff as a replica's.
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            NetworkMode = spec.Network ?? "default",
        },
        // Docker's DNS on the network answers the service's name with every container that has it as an alias.
        NetworkingConfig = spec.Network is { } network
            ? new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings> { [network] = new() { Aliases = [spec.Service] } } }
            : null,
    };

    private static string PortKey(int containerPort) => string.Create(CultureInfo.InvariantCulture, $"{containerPort}/tcp");
}
