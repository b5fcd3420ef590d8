using Orchestra.Errors;
using System.Net.Sockets;

namespace Orchestra.Supervisor.Control;

/// <summary>Sends requests to a supervisor, whether it runs in another process or in this one.</summary>
public interface IControlClient
{
    /// <summary>Sends <paramref name="request"/>; <paramref name="progress"/> sees each event before the final one, which is returned.</summary>
    Task<ControlEvent> SendAsync(ControlRequest request, Action<ControlEvent> progress, CancellationToken cancellationToken);
}

/// <summary>Talks to a running supervisor over its socket: sends a request and reads its events until the final one.</summary>
public sealed class ControlClient(string socketPath) : IControlClient
{
    /// <summary>Whether a supervisor answers on the socket.</summary>
    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        // No socket file, no supervisor: told without a failed connect, which is an exception caught twice. A command
        // starting one asks every 10 ms until it serves, on the cores the starting supervisor needs.
        if (!File.Exists(socketPath))
            return false;
        try
        {
            var result = await SendAsync(new ControlRequest { Op = ControlOp.Ping }, _ => { }, cancellationToken);
            return result.Failure is null;
        }
        catch (SupervisorUnavailableException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="request"/>; <paramref name="progress"/> sees each event before the final one, which is returned.</summary>
    /// <exception cref="SupervisorUnavailableException">No supervisor listens, or it went away mid-request.</exception>
    public async Task<ControlEvent> SendAsync(ControlRequest request, Action<ControlEvent> progress, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new SupervisorUnavailableException($"No supervisor answers on {socketPath}: {e.Message}");
        }
        await using var connection = new ControlConnection(socket);
        try
        {
            await connection.SendAsync(request, ControlJson.Default.ControlRequest, cancellationToken);
            while (await connection.ReceiveAsync(ControlJson.Default.ControlEvent, cancellationToken) is { } message)
            {
                if (message.Done)
                    return message;
                progress(message);
            }
        }
        catch (IOException e)
        {
            throw new SupervisorUnavailableException($"The supervisor went away during '{request.Op.ToString().ToLowerInvariant()}': {e.Message}");
        }
        throw new SupervisorUnavailableException($"The supervisor went away during '{request.Op.ToString().ToLowerInvariant()}'.");
    }
}

/// <summary>No supervisor could be reached on the workspace's control socket.</summary>
public sealed class SupervisorUnavailableException(string message) : OrchestraException(message, FailureKind.Failure);
