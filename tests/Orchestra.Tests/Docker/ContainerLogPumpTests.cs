using Orchestra.Runtime.Logs;
using Orchestra.Testing.Docker;
using Orchestra.Vendors.Containers;
using Orchestra.Vendors.Engine;
using DockerEngine = Orchestra.Vendors.Engine.DockerEngine;

namespace Orchestra.Tests.Docker;

/// <summary>A container's output, as the engine streams it, collected into a replica's log.</summary>
public sealed class ContainerLogPumpTests
{
    [SkippableFact]
    public async Task Long_lines_split_by_the_engine_come_back_whole_stdout_and_stderr_apart_and_a_restart_resumes_after_the_last_line()
    {
        await DockerRequirement.EnsureAsync(TestImages.Redis);
        using var workspace = new TempWorkspace();
        await using var cleanup = new DockerCleanup(workspace.Root);
        // 2^15 characters: the engine cuts it into 16 KiB messages, each stamped with a time of its own.
        const string Script = "s=a; i=0; while [ $i -lt 15 ]; do s=$s$s; i=$((i+1)); done; echo $s; echo 'größe ✓'; echo oops >&2; printf 'no newline'";
        var id = (await DockerCli.RunAsync("run", "-d", "--label", cleanup.Label, "--entrypoint", "sh", TestImages.Redis, "-c", Script)).Trim();
        using var engine = await DockerEngine.ConnectAsync(DockerEndpoint.FromEnvironment(), CancellationToken.None);
        var files = new ReplicaLogFiles(ReplicaLogFiles.DirectoryIn(workspace.StateDirectory), "echo", 0);
        var collected = new List<DateTimeOffset>();

        await using (var pump = new ContainerLogPump(engine, id, files, after: null, new LogCollectorOptions(), TimeProvider.System, collected.Add))
        {
            pump.Start();
            await pump.Completion.WithDeadline();
        }
        var entries = Entries(files);

        // Each stream in its order; the two interleave as the engine sends them.
        Assert.Equal([new string('a', 32768), "größe ✓", "no newline"], entries.Where(e => e.Stream == LogStream.Stdout).Select(e => e.Text));
        Assert.Equal(["oops"], entries.Where(e => e.Stream == LogStream.Stderr).Select(e => e.Text));
        Assert.NotEmpty(collected);

        // The next collector (the container started again, or adopted) resumes after what was collected.
        await DockerCli.RunAsync("start", id);
        await using (var again = new ContainerLogPump(engine, id, files, collected[^1], new LogCollectorOptions(), TimeProvider.System, collected.Add))
        {
            again.Start();
            await again.Completion.WithDeadline();
        }
        // Its second run's four lines, once each: none of the first run's again.
        var all = Entries(files);
        Assert.True(all.Count == 8, string.Join(" | ", all.Select(e => $"{e.Stream} {e.Timestamp:HH:mm:ss.fff} {e.Text[..Math.Min(12, e.Text.Length)]}")));
        Assert.Equal(entries.Select(e => e.Text).Order(), all.Skip(4).Select(e => e.Text).Order());
    }

    private static List<LogEntry> Entries(ReplicaLogFiles files) =>
        files.LogFilesOldestFirst().SelectMany(File.ReadLines).Select(l => LogLineFormat.Parse(files.Service, files.Replica, l)!).ToList();
}
