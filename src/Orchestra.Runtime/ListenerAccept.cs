using System.Net.Sockets;

namespace Orchestra.Runtime;

/// <summary>
/// Accepts the next connection of a listener that must keep serving: a service's public port, the supervisor's control
/// socket. A failed accept leaves the listener usable (a client that gave up before it was accepted; the process out of
/// file descriptors, EMFILE; an interrupted call), so it is tried again, after a pause unless the client merely gave
/// up. Ending the loop there instead closed the port for good, or left a supervisor that no command could reach.
/// </summary>
public static class ListenerAccept
{
    /// <summary>After an accept error other than a client giving up: pause, don't spin.</summary>
    public static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The next accepted connection; null once <paramref name="cancellationToken"/> is cancelled. <paramref name="failing"/>
    /// hears the first error of a run of failed accepts, <paramref name="recovered"/> the accept that ends the run.
    /// </summary>
    public static async Task<Socket?> NextAsync(Socket listener, Action<SocketException>? failing, Action? recovered, CancellationToken cancellationToken)
    {
        var failed = false;
        while (true)
        {
            try
            {
                var socket = await listener.AcceptAsync(cancellationToken);
                if (failed)
                    recovered?.Invoke();
                return socket;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
            }
            catch (SocketException e)
            {
                if (!failed)
                    failing?.Invoke(e);
                failed = true;
                await Task.Delay(ErrorPause, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
