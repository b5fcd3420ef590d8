using System.Net;
using System.Net.Sockets;

namespace Orchestra.Runtime.Health;

/// <summary>
/// Connects a socket and says whether the connection was accepted, without an exception for a refusal. A refused
/// connection is what a starting replica answers, many times, and a <see cref="SocketException"/> from an awaited
/// <see cref="Socket.ConnectAsync(EndPoint, CancellationToken)"/> records its stack trace with file and line: that
/// loads System.Diagnostics.StackTrace, System.Reflection.Metadata, System.Collections.Immutable and the tool's PDBs
/// into the supervisor for the rest of its life (about 2.5 MiB). <see cref="SocketAsyncEventArgs"/> reports the
/// error as a value instead.
/// </summary>
internal static class ConnectAttempt
{
    /// <returns>Whether <paramref name="socket"/> is now connected to <paramref name="endpoint"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the socket is closed.</exception>
    public static async Task<bool> ConnectAsync(Socket socket, EndPoint endpoint, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var connect = new SocketAsyncEventArgs { RemoteEndPoint = endpoint };
        connect.Completed += (_, _) => completed.TrySetResult();
        if (socket.ConnectAsync(connect))
        {
            // Closing the socket ends a pending connect at once (as OperationAborted).
            using (cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket))
                await completed.Task.ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return connect.SocketError == SocketError.Success;
    }
}
