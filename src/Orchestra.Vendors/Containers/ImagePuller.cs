using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestra.Vendors.Engine;

namespace Orchestra.Vendors.Containers;

/// <summary>Makes sure an image is on the engine, pulling it when missing and telling the progress.</summary>
public sealed class ImagePuller(DockerEngine engine)
{
    /// <exception cref="ImageUnavailableException">It is missing and the pull fails.</exception>
    /// <param name="progress">Told each step of a pull, awaited in order.</param>
    public async Task EnsureAsync(string image, Func<string, Task>? progress, CancellationToken cancellationToken)
    {
        try
        {
            await engine.Client.Images.InspectImageAsync(image, cancellationToken);
            return;
        }
        catch (DockerImageNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
        if (progress is not null)
            await progress($"pulling {image}");
        string? failure = null;
        // The engine's messages arrive on the reading thread; they are passed on in order, and awaited, from here.
        var steps = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var messages = new Reporter<JSONMessage>(m =>
        {
            if (m.Error is { } error)
                failure = error.Message;
            else if (m.Status is { Length: > 0 } status)
                steps.Writer.TryWrite(m.ID is { Length: > 0 } layer && layer != image ? $"{image}: {layer}: {status}" : $"{image}: {status}");
        });
        var (name, tag) = Split(image);
        try
        {
            async Task PullAsync()
            {
                try
                {
                    await engine.Client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, new AuthConfig(), messages, cancellationToken);
                }
                finally
                {
                    steps.Writer.TryComplete();
                }
            }
            var pull = PullAsync();
            await foreach (var step in steps.Reader.ReadAllAsync(cancellationToken))
            {
                if (progress is not null)
                    await progress(step);
            }
            await pull;
        }
        catch (DockerApiException e)
        {
            throw new ImageUnavailableException(image, DockerEngine.MessageOf(e));
        }
        catch (Exception e) when (DockerEngine.Unreachable(e) is { } reason && !cancellationToken.IsCancellationRequested)
        {
            throw new ImageUnavailableException(image, reason);
        }
        // The pull's errors arrive in its progress stream, not as a status code.
        if (failure is not null)
            throw new ImageUnavailableException(image, failure);
        try
        {
            await engine.Client.Images.InspectImageAsync(image, cancellationToken);
        }
        catch (DockerApiException)
        {
            throw new ImageUnavailableException(image, failure ?? "the pull ended without it");
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread, not through a synchronization context.</summary>
    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary><c>repo/name:tag</c> as name and tag (latest when none); a registry's port is not a tag.</summary>
    private static (string Name, string Tag) Split(string image)
    {
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }
}
