using System.Diagnostics;
using Orchestra.Cli;
using Orchestra.Supervisor;

namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>
/// A workspace in a temp folder, driven through the real CLI (in-process; the supervisor it starts is a separate
/// process). Disposing stops the fleet through the CLI, then kills whatever is left of it (the supervisor, any
/// process carrying the workspace in its environment, and processes the test started itself), and deletes the folder.
/// </summary>
public sealed class TestFleet : IAsyncDisposable
{
    /// <summary>Absolute, so that no shim or PATH lookup sits between a service and its process.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan CommandDeadline = TimeSpan.FromMinutes(3);
    private readonly List<Process> _outsiders = [];

    /// <summary>
    /// The supervisors these tests start (through the in-process CLI, or in-process for <c>start --attach</c>) inherit
    /// this process's environment: they run the restart backoff from 50 ms instead of 1 s, so a crash loop takes seconds.
    /// </summary>
    static TestFleet() => Environment.SetEnvironmentVariable(TestSettings.Backoff, "50ms");

    private readonly TempWorkspace _folder;

    public TestFleet(string name = "e2e")
    {
        _folder = new TempWorkspace(name);
    }

    public string Root => _folder.Root;

    /// <summary>
    /// The environment of the shell the CLI commands run in: the test's own, which a test may change between
    /// commands as a person would export a variable, or run the next command from another terminal.
    /// </summary>
    public Dictionary<string, string> Shell { get; } = new(Orchestra.Variables.ProcessEnvironment.Read());

    public string StateDirectory => _folder.StateDirectory;

    public string PathOf(string relative) => _folder.PathOf(relative);

    public string Write(string relative, string content) => _folder.Write(relative, content);

    /// <summary>A service folder with its service.yml and any files (scripts) it runs.</summary>
    public TestFleet Service(string name, string serviceYaml, params (string File, string Content)[] files)
    {
        Write($"{name}/service.yml", serviceYaml);
        foreach (var (file, content) in files)
            Write($"{name}/{file}", content);
        return this;
    }

    /// <summary>
    /// Copies a built service folder (<c>bin/</c> and <c>obj/</c> included, so that <c>start --no-build</c> runs it) into
    /// the workspace as <paramref name="name"/>, with its own service.yml; returns the folder.
    /// </summary>
    public string CopyService(string templateDirectory, string name, string serviceYaml)
    {
        var destination = PathOf(name);
        foreach (var file in Directory.EnumerateFiles(templateDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(templateDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // File.Copy keeps the Unix mode, so the apphost stays executable.
            File.Copy(file, target);
        }
        Write($"{name}/service.yml", serviceYaml);
        return destination;
    }

    /// <summary>A service that runs one Python script (<c>command:</c>, so no build is involved) with more service.yml lines.</summary>
    public TestFleet PythonService(string name, string script, string moreYaml = "") =>
        Service(name, $"command: [\"{Python}\", \"-u\", \"main.py\"]\n{moreYaml}", ("main.py", script));

    /// <summary>Runs one command line through the real CLI, in-process, in the workspace folder, its output piped.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, terminal: false, CancellationToken.None);

    /// <summary>Runs one command line as <see cref="RunAsync(string[])"/> does, but as if its output were a terminal.</summary>
    public Task<CliResult> RunOnTerminalAsync(params string[] args) => RunAsync(args, terminal: true, CancellationToken.None);

    /// <summary>Runs a command that <paramref name="interrupt"/> cancels as Ctrl-C would; a cancelled command gives exit code 130.</summary>
    public Task<CliResult> RunAsync(CancellationToken interrupt, params string[] args) => RunAsync(args, terminal: false, interrupt);

    private async Task<CliResult> RunAsync(string[] args, bool terminal, CancellationToken interrupt)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost(output, error, Root, new Dictionary<string, string>(Shell), IsTerminal: terminal);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        deadline.CancelAfter(CommandDeadline);
        try
        {
            var code = await OrchestraCli.RunAsync(args, host, deadline.Token);
            return new CliResult(code, output.ToString(), error.ToString());
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return new CliResult(130, output.ToString(), error.ToString());
        }
    }

    /// <summary>Starts a command that runs until stopped (<c>logs -f</c>); what it has printed so far can be read while it runs.</summary>
    public RunningCommand Begin(params string[] args)
    {
        var output = new LiveOutput();
        var host = new CliHost(output, new LiveOutput(), Root, new Dictionary<string, string>(Shell), IsTerminal: false);
        var stop = new CancellationTokenSource(CommandDeadline);
        return new RunningCommand(OrchestraCli.RunAsync(args, host, stop.Token), output, stop);
    }

    /// <summary>Runs a command and fails the test with its whole output unless it exits 0.</summary>
    public async Task<CliResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"'{string.Join(' ', args)}' failed: {result}\n--- the end of supervisor.log ---\n{SupervisorLogTail()}");
        return result;
    }

    /// <summary>The supervisor's own log so far (<c>.orchestra/supervisor.log</c>); empty before one ran.</summary>
    public string SupervisorLog
    {
        get
        {
            var log = Path.Combine(StateDirectory, "supervisor.log");
            return File.Exists(log) ? File.ReadAllText(log) : "";
        }
    }

    /// <summary>The supervisor's last words, for the message of a failed command: the workspace is gone when the test ends.</summary>
    private string SupervisorLogTail() =>
        SupervisorLog is { Length: > 0 } log ? string.Join('\n', log.Split('\n').TakeLast(30)) : "(none)";

    public async Task<IReadOnlyList<PsReplica>> PsAsync(params string[] services)
    {
        var result = await RunOkAsync(["ps", "--json", .. services]);
        return PsReplica.Parse(result.Out);
    }

    /// <summary>A replica of the service by number; without one, its lowest-numbered (a surge replacement leaves a single replica under another number than 0).</summary>
    public async Task<PsReplica> ReplicaAsync(string service, int? replica = null) =>
        (await PsAsync([service])) is var all && replica is { } number ? all.Single(r => r.Replica == number) : all.OrderBy(r => r.Replica).First();

    /// <summary>
    /// The service's one replica once <paramref name="old"/> is gone: a surge replacement answers before the replica it
    /// replaces has drained and stopped.
    /// </summary>
    public Task<PsReplica> ReplacedAsync(string service, int? old) =>
        Eventually.ValueAsync(async () => await PsAsync(service) is [{ Pid: not null } only] && only.Pid != old ? only : null, $"{service}'s replica {old} to be replaced");

    /// <summary>Waits until the service's files are watched: a change made before that is not seen (ps --json tells).</summary>
    public Task WatchingAsync(string service) =>
        Eventually.TrueAsync(async () => (await PsAsync(service)).Any(r => r.Watching), $"{service}'s files to be watched");

    /// <summary>
    /// The live supervisor of this workspace, found in /proc by its command line (<c>__supervise --config …</c>).
    /// Its lock file holds the pid too, but .NET cannot read a file another .NET process holds with
    /// <c>FileShare.None</c> (share modes are emulated with flock).
    /// </summary>
    public int? SupervisorPid => Procs.LiveWithCommandLine($"__supervise --config {_folder.ConfigPath}").Cast<int?>().SingleOrDefault();

    /// <summary>A replica's collected log file.</summary>
    public string LogFile(string service, int replica = 0) => Path.Combine(StateDirectory, "logs", $"{service}.{replica}.log");

    /// <summary>The text of each line of a replica's collected log (timestamp and stream cut off).</summary>
    public IReadOnlyList<string> LogLines(string service, int replica = 0) => LogLinesOf(LogFile(service, replica));

    /// <summary>The text of each line of a collected log file, rotated ones too (timestamp and stream cut off).</summary>
    public IReadOnlyList<string> LogLinesOf(string path)
    {
        if (!File.Exists(path))
            return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            // <ISO time> <O|E> <text>
            var first = line.IndexOf(' ');
            lines.Add(first > 0 && line.Length > first + 3 ? line[(first + 3)..] : "");
        }
        return lines;
    }

    /// <summary>Starts a process outside Orchestra (a copy started by hand, a foreign listener); it is killed on dispose.</summary>
    public Process StartOutside(string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start.");
        // Drained so that a chatty process never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_outsiders)
            _outsiders.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Directory.Exists(StateDirectory))
                await RunAsync("stop");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The kill below is the safety net whatever went wrong with a graceful stop.
        }
        KillLeftovers();
        _folder.Dispose();
    }

    private void KillLeftovers()
    {
        foreach (var supervisor in Procs.LiveWithCommandLine($"__supervise --config {_folder.ConfigPath}"))
            Procs.Signal(supervisor, Procs.SigKill);
        foreach (var pid in Procs.LiveInWorkspace(Root))
        {
            Procs.Signal(-pid, Procs.SigKill);
            Procs.Signal(pid, Procs.SigKill);
        }
        lock (_outsiders)
        {
            foreach (var process in _outsiders)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already ended.
                }
                process.Dispose();
            }
        }
    }
}
