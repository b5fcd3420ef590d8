using System.Diagnostics;
using Orchestra.Supervisor.Reliability;

namespace Orchestra.Tests.Supervisor;

/// <summary>Real processes started outside Orchestra, found through /proc.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OutsideCopyFinderTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly List<Process> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
        _temp.Dispose();
    }

    private Process Start(string program, string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        _processes.Add(process);
        return process;
    }


    private static Task WaitForListenerAsync(int port) =>
        Eventually.TrueAsync(() => PortOwners.ListeningOn(port).Count > 0, $"a listener on port {port}");

    [Fact]
    public void A_process_running_the_built_program_is_a_copy()
    {
        var service = Path.Combine(_temp.Root, "api");
        var binary = Path.Combine(service, "bin", "api");
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        File.Copy("/bin/sleep", binary);
        var copy = Start(binary, _temp.Root, "30");
        var unrelated = Start("/bin/sleep", service, "30");

        var found = OutsideCopyFinder.Find(service, [binary], port: null, isOwnReplica: _ => false);

        var only = Assert.Single(found);
        Assert.Equal(copy.Id, only.Pid);
        Assert.True(only.IsCopy);
        Assert.Equal($"{binary} 30", only.CommandLine);
        Assert.DoesNotContain(found, p => p.Pid == unrelated.Id);
        Assert.Empty(OutsideCopyFinder.Find(service, [binary], port: null, isOwnReplica: pid => pid == copy.Id));
    }

    [Fact]
    public async Task A_listener_on_the_port_from_elsewhere_is_foreign_and_from_the_service_folder_is_a_copy()
    {
        var service = Directory.CreateDirectory(Path.Combine(_temp.Root, "api")).FullName;
        var foreignPort = Ports.Free();
        var foreign = Start("python3", _temp.Root, "-m", "http.server", foreignPort.ToString(), "--bind", "127.0.0.1");
        var copyPort = Ports.Free();
        var copy = Start("python3", service, "-m", "http.server", copyPort.ToString(), "--bind", "127.0.0.1");
        await WaitForListenerAsync(foreignPort);
        await WaitForListenerAsync(copyPort);

        var stranger = Assert.Single(OutsideCopyFinder.Find(service, [], foreignPort, _ => false));
        var sibling = Assert.Single(OutsideCopyFinder.Find(service, [], copyPort, _ => false));

        Assert.Equal(foreign.Id, stranger.Pid);
        Assert.False(stranger.IsCopy);
        Assert.Contains("http.server", stranger.CommandLine);
        Assert.Equal(copy.Id, sibling.Pid);
        Assert.True(sibling.IsCopy);
    }
}
