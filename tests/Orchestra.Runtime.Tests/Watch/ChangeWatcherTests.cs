using Orchestra.Runtime.Tests.Support;
using Orchestra.Runtime.Watch;

namespace Orchestra.Runtime.Tests.Watch;

public sealed class ChangeWatcherTests : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);
    private readonly RunnerWorkspace _workspace = new();
    private readonly string _service;

    public ChangeWatcherTests()
    {
        _service = Path.Combine(_workspace.Root, "svc");
        Directory.CreateDirectory(_service);
    }

    public void Dispose() => _workspace.Dispose();

    /// <summary>A file in the service folder, its folder created; written once so that only later writes are changes.</summary>
    private string Existing(string relative)
    {
        var path = Path.Combine(_service, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "before");
        return path;
    }

    private static void Write(string path) => File.WriteAllText(path, Guid.NewGuid().ToString());

    private static Task<IReadOnlyList<string>> Next(ChangeWatcher watcher) => watcher.NextChangeAsync(CancellationToken.None).WithDeadline();

    [Fact]
    public async Task Writing_a_listed_file_is_reported_with_its_full_path()
    {
        var program = Existing("Program.cs");
        using var watcher = new ChangeWatcher(new WatchSet { Files = [program] }, Debounce);

        Write(program);

        Assert.Equal([program], await Next(watcher));
    }

    [Fact]
    public async Task A_burst_of_writes_within_the_debounce_is_reported_once_with_every_path()
    {
        var files = new[] { Existing("A.cs"), Existing("B.cs"), Existing("C.cs") };
        var marker = Existing("marker.json");
        // Long enough that three writes in a row fall inside it even on a loaded machine.
        using var watcher = new ChangeWatcher(new WatchSet { Files = [.. files, marker] }, TimeSpan.FromMilliseconds(500));
        var next = Next(watcher);

        foreach (var file in files)
            Write(file);

        Assert.Equal(files, await next);
        Write(marker);
        Assert.Equal([marker], await Next(watcher));
    }

    [Fact]
    public async Task A_new_file_matching_include_under_a_folder_is_reported_and_one_that_does_not_match_is_not()
    {
        var marker = Existing("marker.json");
        Directory.CreateDirectory(Path.Combine(_service, "Features"));
        using var watcher = new ChangeWatcher(new WatchSet { Files = [marker], Folders = [_service], Include = ["**/*.cs"] }, Debounce);

        var created = Path.Combine(_service, "Features", "Checkout.cs");
        Write(created);
        Assert.Equal([created], await Next(watcher));

        Write(Path.Combine(_service, "notes.txt"));
        Write(marker);
        Assert.Equal([marker], await Next(watcher));
    }

    [Fact]
    public async Task Exclude_wins_over_include()
    {
        var marker = Existing("marker.json");
        var generated = Existing(Path.Combine("Generated", "Client.cs"));
        using var watcher = new ChangeWatcher(
            new WatchSet { Files = [marker], Folders = [_service], Include = ["**/*.cs"], Exclude = ["Generated/**"] }, Debounce);

        Write(generated);
        Write(marker);

        Assert.Equal([marker], await Next(watcher));
    }

    [Fact]
    public async Task Build_output_orchestra_state_and_editor_temp_files_are_never_reported_even_when_listed_or_included()
    {
        var marker = Existing("marker.json");
        var ignored = new[]
        {
            Existing(Path.Combine("bin", "Debug", "svc.dll")),
            Existing(Path.Combine("obj", "Debug", "svc.AssemblyInfo.cs")),
            Existing(Path.Combine(".orchestra", "logs", "svc.0.log")),
            Existing(Path.Combine(".git", "index")),
            Existing(Path.Combine("node_modules", "left-pad", "index.js")),
            Existing("Program.cs~"),
            Existing(".Program.cs.swp"),
            Existing("Program.cs.tmp"),
            Existing(".#Program.cs"),
        };
        // A listed file outside every folder is judged on its whole path.
        var otherProjectOutput = Path.Combine(_workspace.Root, "Shared", "obj", "Shared.AssemblyInfo.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(otherProjectOutput)!);
        File.WriteAllText(otherProjectOutput, "before");
        using var watcher = new ChangeWatcher(
            new WatchSet { Files = [.. ignored, otherProjectOutput, marker], Folders = [_service], Include = ["**/*"] }, Debounce);

        foreach (var file in ignored)
            Write(file);
        Write(otherProjectOutput);
        Write(marker);

        Assert.Equal([marker], await Next(watcher));
    }

    [Fact]
    public async Task A_change_made_while_nobody_awaits_is_returned_by_the_next_call()
    {
        var first = Existing("First.cs");
        var second = Existing("Second.cs");
        using var watcher = new ChangeWatcher(new WatchSet { Files = [first, second] }, Debounce);
        Write(first);
        Assert.Equal([first], await Next(watcher));

        Write(second);
        await Eventually.TrueAsync(() => watcher.PendingCount > 0, "the write to be seen");

        Assert.Equal([second], await Next(watcher));
    }

    [Fact]
    public async Task A_rename_reports_both_paths_and_a_delete_reports_the_deleted_path()
    {
        var old = Existing("Old.cs");
        var renamed = Path.Combine(_service, "New.cs");
        using var watcher = new ChangeWatcher(new WatchSet { Files = [old, renamed] }, Debounce);

        File.Move(old, renamed);
        Assert.Equal([renamed, old], await Next(watcher));

        File.Delete(renamed);
        Assert.Equal([renamed], await Next(watcher));
    }

    [Fact]
    public async Task A_directory_moved_into_a_folder_reports_the_matching_files_it_brings()
    {
        var outside = Path.Combine(_workspace.Root, "incoming");
        Directory.CreateDirectory(Path.Combine(outside, "Nested"));
        File.WriteAllText(Path.Combine(outside, "Nested", "Moved.cs"), "");
        File.WriteAllText(Path.Combine(outside, "readme.txt"), "");
        using var watcher = new ChangeWatcher(new WatchSet { Folders = [_service], Include = ["**/*.cs"] }, Debounce);

        Directory.Move(outside, Path.Combine(_service, "Incoming"));

        Assert.Equal([Path.Combine(_service, "Incoming", "Nested", "Moved.cs")], await Next(watcher));
    }

    [Fact]
    public async Task Watchers_of_one_folder_share_its_watch_and_the_last_one_ends_it()
    {
        var program = Existing("Program.cs");
        var first = new ChangeWatcher(new WatchSet { Files = [program] }, Debounce);
        using var second = new ChangeWatcher(new WatchSet { Files = [program] }, Debounce);
        var root = Assert.Single(second.Roots);
        Assert.Equal(2, SharedWatchers.ListenersOf(root));

        first.Dispose();
        Write(program);

        Assert.Equal([program], await Next(second));
        Assert.Equal(1, SharedWatchers.ListenersOf(root));
        second.Dispose();
        Assert.Equal(0, SharedWatchers.ListenersOf(root));
    }

    [Fact]
    public async Task Waiting_is_cancellable()
    {
        var program = Existing("Program.cs");
        using var watcher = new ChangeWatcher(new WatchSet { Files = [program] }, Debounce);
        using var cancel = new CancellationTokenSource();

        var next = watcher.NextChangeAsync(cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WithDeadline());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watcher.NextChangeAsync(cancel.Token).WithDeadline());
    }

    [Fact]
    public async Task Dispose_stops_watching_and_ends_a_pending_wait()
    {
        var program = Existing("Program.cs");
        var watcher = new ChangeWatcher(new WatchSet { Files = [program] }, Debounce);
        var next = watcher.NextChangeAsync(CancellationToken.None);

        watcher.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => next.WithDeadline());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => watcher.NextChangeAsync(CancellationToken.None));
    }

    [Fact]
    public void Only_existing_directories_outside_system_folders_are_watched_and_nested_ones_collapse()
    {
        var program = Existing(Path.Combine("Features", "Program.cs"));
        var shared = Path.Combine(_workspace.Root, "Shared");
        Directory.CreateDirectory(shared);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var set = new WatchSet
        {
            Folders = [_service, Path.Combine(_service, "Features") + "/", Path.Combine(_workspace.Root, "missing")],
            Files =
            [
                program,
                Path.Combine(shared, "A.cs"),
                Path.Combine(shared, "NotYetWritten.cs"),
                Path.Combine(_workspace.Root, "missing", "B.cs"),
                Path.Combine(_service, "obj", "svc.AssemblyInfo.cs"),
                "/usr/share/Sdk.props",
                Path.Combine(home, ".nuget", "packages", "x", "x.props"),
            ],
        };

        using var watcher = new ChangeWatcher(set, Debounce);

        Assert.Equal([new WatchRoot(_service, Recursive: true), new WatchRoot(shared, Recursive: false)], watcher.Roots);
    }
}
