using Orchestra.Discovery;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;
using Orchestra.Tests.Support;

namespace Orchestra.Tests.Supervisor;

/// <summary>Issue 9, point 4: <c>start --attach</c> runs the supervisor in its own process and talks to it there.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AttachedSupervisorTests : IDisposable
{
    private readonly TempWorkspace _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_attached_supervisor_answers_in_process_without_its_socket_and_ends_when_disposed()
    {
        _temp.Write("orchestra.yml", "name: attached\n");
        var workspace = WorkspaceLoader.Load(_temp.ConfigPath);
        var supervisors = new SupervisorClient(workspace.Config.FilePath, new ProcessCommand("/bin/false", []), new Dictionary<string, string>());
        var log = new StringWriter();
        var attached = await supervisors.AttachAsync(TextWriter.Synchronized(log), CancellationToken.None);
        Assert.NotNull(attached);
        await using (attached)
        {
            // Other commands reach it on its socket; once that is gone, only a request made in-process gets through.
            var socket = new ControlClient(SupervisorPaths.For(workspace).Socket);
            while (!await socket.IsRunningAsync(CancellationToken.None))
                await Task.Delay(10);
            File.Delete(SupervisorPaths.For(workspace).Socket);
            Assert.False(await socket.IsRunningAsync(CancellationToken.None));

            var status = await attached.SendAsync(new ControlRequest { Op = ControlOp.Status }, _ => { }, CancellationToken.None);

            Assert.Null(status.Failure);
            Assert.Empty(status.Replicas);
        }
        Assert.True(attached.Completion.IsCompletedSuccessfully);
        Assert.Contains($"supervisor {Environment.ProcessId} ends", log.ToString());
    }
}
