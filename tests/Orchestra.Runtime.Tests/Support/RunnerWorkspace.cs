using Orchestra.Runtime.Logs;
using Orchestra.Runtime.Processes;
using Orchestra.Runtime.Replicas;

namespace Orchestra.Runtime.Tests.Support;

/// <summary>
/// A temp workspace for the runner: its <c>.orchestra</c> and logs folders made, replicas spawned and specified in it,
/// and every process the test spawned through it killed on dispose.
/// </summary>
public sealed class RunnerWorkspace : IDisposable
{
    private readonly TempWorkspace _folder = new();
    private readonly List<ProcessIdentity> _spawned = [];

    public RunnerWorkspace()
    {
        Directory.CreateDirectory(LogDirectory);
    }

    public string Root => _folder.Root;
    public string StateDirectory => _folder.StateDirectory;
    public string LogDirectory => ReplicaLogFiles.DirectoryIn(StateDirectory);
    public LinuxProcessHost Host { get; } = new();

    public ReplicaLogFiles Files(string service, int replica = 0) => new(LogDirectory, service, replica);

    /// <summary>Writes a /bin/sh script (test code may use a shell; product code does not).</summary>
    public string Script(string name, string body) => _folder.Write(name + ".sh", body + "\n");

    /// <summary>Waits until a child exits and returns its status.</summary>
    public Task<ExitStatus> ExitAsync(ProcessIdentity process) =>
        Eventually.ValueAsync(() => Host.CheckExit(process), $"{process} to exit");

    public IReadOnlyDictionary<string, string> Environment(string service, int replica = 0, IReadOnlyDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["HOME"] = Root,
            ["ORCHESTRA_WORKSPACE"] = Root,
            ["ORCHESTRA_SERVICE"] = service,
            ["ORCHESTRA_REPLICA"] = replica.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
            env[name] = value;
        return env;
    }

    /// <summary>Spawns a script as replica 0 of <paramref name="service"/>, remembering it for cleanup.</summary>
    public ProcessIdentity SpawnScript(string service, string script, int replica = 0) => Spawn(service, "/bin/sh", [script], replica);

    /// <summary>Spawns a program as a replica of <paramref name="service"/>, remembering it for cleanup.</summary>
    public ProcessIdentity Spawn(string service, string program, IReadOnlyList<string> arguments, int replica = 0)
    {
        var files = Files(service, replica);
        var identity = Host.Spawn(new SpawnRequest(program, arguments, Root, Environment(service, replica), files.RawStdout, files.RawStderr));
        Track(identity);
        return identity;
    }

    public ReplicaSpec Spec(string service, string program, IReadOnlyList<string> arguments, int replica = 0) => new()
    {
        Service = service,
        Replica = replica,
        Program = program,
        Arguments = arguments,
        WorkingDirectory = Root,
        Environment = Environment(service, replica),
        StateDirectory = StateDirectory,
    };

    public void Track(ProcessIdentity identity)
    {
        lock (_spawned)
            _spawned.Add(identity);
    }

    public void Dispose()
    {
        lock (_spawned)
        {
            foreach (var identity in _spawned)
            {
                Host.SignalGroup(identity, StopSignals.Kill);
                Host.CheckExit(identity);
            }
        }
        _folder.Dispose();
    }
}
