using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Orchestra.Runtime.Processes;

/// <summary>
/// Linux processes through glibc's <c>posix_spawn</c> and /proc. <see cref="System.Diagnostics.Process"/> cannot
/// start a child in a session of its own nor hand it a file as stdout; both are needed because replicas
/// outlive a crashed supervisor (they must not share its session, nor write into a pipe it owned).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LinuxProcessHost : IProcessHost
{
    private const uint CaptureFileMode = 0b110_000_000; // 0600: logs may hold secrets.

    private readonly Func<int, int> _pidfdOpen;

    public LinuxProcessHost()
        : this(PidFd.OpenRaw)
    {
    }

    /// <param name="pidfdOpen"><c>pidfd_open</c>: the descriptor or the negated errno. Tests make it fail as an old kernel does.</param>
    internal LinuxProcessHost(Func<int, int> pidfdOpen) => _pidfdOpen = pidfdOpen;

    public ProcessIdentity Spawn(SpawnRequest request)
    {
        var program = ProgramResolver.Resolve(request.Program, request.WorkingDirectory, request.Environment);
        if (!Directory.Exists(request.WorkingDirectory))
            throw new SpawnException($"The working directory '{request.WorkingDirectory}' does not exist.");

        var attr = Allocate();
        var actions = Allocate();
        var signals = Allocate();
        var argv = ToNativeArray([program, .. request.Arguments]);
        var envp = ToNativeArray(request.Environment.Select(p => $"{p.Key}={p.Value}"));
        try
        {
            Check(LibC.posix_spawnattr_init(attr), "posix_spawnattr_init");
            Check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            // Our runtime blocks and ignores signals (SIGPIPE among them) that must not leak into a replica.
            Check(LibC.sigemptyset(signals) == 0 ? 0 : Marshal.GetLastPInvokeError(), "sigemptyset");
            Check(LibC.posix_spawnattr_setsigmask(attr, signals), "posix_spawnattr_setsigmask");
            Check(LibC.sigfillset(signals) == 0 ? 0 : Marshal.GetLastPInvokeError(), "sigfillset");
            Check(LibC.posix_spawnattr_setsigdefault(attr, signals), "posix_spawnattr_setsigdefault");
            Check(LibC.posix_spawnattr_setflags(attr, LibC.PosixSpawnSetSid | LibC.PosixSpawnSetSigMask | LibC.PosixSpawnSetSigDef), "posix_spawnattr_setflags");

            Check(LibC.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.ORdOnly, 0), "addopen stdin");
            const int append = LibC.OWrOnly | LibC.OAppend | LibC.OCreat;
            Check(LibC.posix_spawn_file_actions_addopen(actions, 1, request.StdoutPath, append, CaptureFileMode), "addopen stdout");
            Check(LibC.posix_spawn_file_actions_addopen(actions, 2, request.StderrPath, append, CaptureFileMode), "addopen stderr");
            Check(LibC.posix_spawn_file_actions_addchdir_np(actions, request.WorkingDirectory), "addchdir");

            var error = LibC.posix_spawn(out var pid, program, actions, attr, argv, envp);
            if (error != 0)
                throw new SpawnException($"Could not start '{request.Program}': {LibC.Describe(error)}.");
            // The child exists from here on; its stat is readable even if it has already exited (a zombie until reaped).
            return ProcFs.ReadStat(pid)?.Identity ?? new ProcessIdentity(pid, 0);
        }
        finally
        {
            LibC.posix_spawn_file_actions_destroy(actions);
            LibC.posix_spawnattr_destroy(attr);
            Free(argv);
            Free(envp);
            Marshal.FreeHGlobal(signals);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attr);
        }
    }

    public ExitStatus? CheckExit(ProcessIdentity process)
    {
        // waitpid(0) or waitpid(-n) would reap someone else's child; and a pid now held by another process (another
        // start time) is not this process: waiting on it could reap a child of ours that reused the pid.
        if (process.Pid <= 0 || process.StartTime != 0 && ProcFs.ReadStat(process.Pid) is { } stat && stat.StartTime != process.StartTime)
            return ExitStatus.Unknown;
        var result = LibC.waitpid(process.Pid, out var status, LibC.WNoHang);
        if (result == process.Pid)
            return Decode(status);
        if (result == 0)
            return null;
        // ECHILD: not our child (adopted), so only liveness can be observed.
        return IsAlive(process) ? null : ExitStatus.Unknown;
    }

    /// <summary>
    /// Waits on a pidfd of the process (our child or an adopted replica alike), then reaps it through
    /// <see cref="CheckExit"/>. Where <c>pidfd_open</c> is missing (<c>ENOSYS</c>: Linux before 5.3) or refused, it
    /// polls as before.
    /// </summary>
    public async Task<ExitStatus> WaitForExitAsync(ProcessIdentity process, TimeSpan pollInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        using (var pidfd = process.Pid > 0 ? PidFd.TryOpen(process.Pid, _pidfdOpen) : null)
        {
            // The pid is verified once the pidfd is open (CheckExit compares its start time), so neither a process that
            // ended before nor a pid that is someone else's by now is waited for.
            if (pidfd is not null)
            {
                if (CheckExit(process) is { } ended)
                    return ended;
                await pidfd.WaitAsync(cancellationToken);
            }
        }
        // Once the pidfd is readable the first check returns; the loop is what runs where there is no pidfd.
        return await ExitPolling.WaitAsync(this, process, pollInterval, time, cancellationToken);
    }

    public bool IsAlive(ProcessIdentity process) =>
        ProcFs.ReadStat(process.Pid) is { IsZombie: false } stat && stat.StartTime == process.StartTime;

    public IReadOnlyList<ProcessIdentity> GroupMembers(ProcessIdentity leader) => GroupMembers([leader]);

    public IReadOnlyList<ProcessIdentity> GroupMembers(IEnumerable<ProcessIdentity> leaders)
    {
        var asked = leaders.Where(l => l.Pid > 0).ToList();
        if (asked.Count == 0)
            return [];
        var all = ProcFs.All().ToList();
        var running = all.ToDictionary(s => s.Pid, s => s.StartTime);
        // The kernel does not reuse a pid while a group or session of that id exists. So if the pid now belongs to
        // a process with another start time, the leader's group is gone and a group of that id is someone else's.
        // (The scan tells what each leader's pid holds now: no read of its own per leader.)
        var started = new Dictionary<int, ulong>();
        foreach (var leader in asked)
        {
            if (!(running.TryGetValue(leader.Pid, out var current) && current != leader.StartTime))
                started[leader.Pid] = leader.StartTime;
        }
        return started.Count == 0
            ? []
            : all.Where(s => !s.IsZombie && (Follows(s, s.ProcessGroup) || Follows(s, s.Session))).Select(s => s.Identity).ToList();

        // Started no earlier than the leader: a process older than it cannot be its child.
        bool Follows(ProcStat process, int leader) => started.TryGetValue(leader, out var since) && process.StartTime >= since;
    }

    public void SignalGroup(ProcessIdentity leader, int signal)
    {
        // kill(0) and kill(-1) would signal our own group or every process we may signal.
        if (leader.Pid <= 1)
            return;
        // The group id stays reserved while any member lives, so signalling it is safe only while the
        // leader itself is verified; members that outlived the leader are signalled one by one. A leader that
        // shows as a zombie is verified too: its pid is not reused before it is reaped, and a multi-threaded
        // leader whose main thread ended shows as one while its process still runs.
        if (ProcFs.ReadStat(leader.Pid) is { } stat && stat.StartTime == leader.StartTime)
            LibC.kill(-leader.Pid, signal);
        foreach (var member in GroupMembers(leader))
        {
            if (IsAlive(member))
                LibC.kill(member.Pid, signal);
        }
    }

    public ProcessIdentity? Identify(int pid) =>
        ProcFs.ReadStat(pid) is { IsZombie: false } stat ? stat.Identity : null;

    public void Signal(ProcessIdentity process, int signal)
    {
        if (process.Pid > 1 && IsAlive(process))
            LibC.kill(process.Pid, signal);
    }

    /// <summary>
    /// A replica is a session leader of this user whose environment carries the workspace, service and replica
    /// markers and whose parent does not carry the workspace's (a replica's parent is its supervisor, or init once
    /// that died). A marked session leader below a marked parent descends from a replica and escaped its session;
    /// so does every younger claimant of the same replica, since a replica starts before its descendants.
    /// </summary>
    public ReplicaScan FindReplicas(string workspaceRoot)
    {
        var user = Orchestra.State.CurrentUser.Id;
        var marked = new Dictionary<int, (ProcStat Stat, IReadOnlyDictionary<string, string> Environment)>();
        foreach (var stat in ProcFs.All())
        {
            if (!stat.IsZombie && ProcFs.RunsAs(stat.Pid, user) && ProcFs.ReadEnvironment(stat.Pid) is { } env
                && env.GetValueOrDefault(Variables.EnvironmentResolver.WorkspaceMarker) == workspaceRoot)
                marked[stat.Pid] = (stat, env);
        }
        var leaders = new List<(FoundReplica Found, bool BelowReplica)>();
        foreach (var (stat, env) in marked.Values)
        {
            if (stat.Session == stat.Pid
                && env.GetValueOrDefault("ORCHESTRA_SERVICE") is { Length: > 0 } service
                && int.TryParse(env.GetValueOrDefault("ORCHESTRA_REPLICA"), NumberStyles.None, CultureInfo.InvariantCulture, out var replica))
            {
                var found = new FoundReplica(service, replica, stat.Identity)
                {
                    Port = int.TryParse(env.GetValueOrDefault("PORT"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null,
                };
                leaders.Add((found, marked.ContainsKey(stat.Parent)));
            }
        }
        var replicas = leaders.Where(l => !l.BelowReplica).Select(l => l.Found)
            .GroupBy(f => (f.Service, f.Replica))
            .Select(g => g.MinBy(f => f.Process.StartTime)!)
            .ToList();
        var escaped = leaders.Select(l => l.Found).Except(replicas).ToList();
        return new ReplicaScan(replicas, escaped);
    }

    private static ExitStatus Decode(int status)
    {
        var signal = status & 0x7f;
        return signal == 0 ? new ExitStatus((status >> 8) & 0xff, null) : new ExitStatus(null, signal);
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
            throw new SpawnException($"Could not prepare the process ({call}): {LibC.Describe(error)}.");
    }

    private static IntPtr Allocate()
    {
        var memory = Marshal.AllocHGlobal(LibC.OpaqueSize);
        unsafe { new Span<byte>((void*)memory, LibC.OpaqueSize).Clear(); }
        return memory;
    }

    private static IntPtr[] ToNativeArray(IEnumerable<string> strings) =>
        [.. strings.Select(Marshal.StringToCoTaskMemUTF8), IntPtr.Zero];

    private static void Free(IntPtr[] array)
    {
        foreach (var pointer in array)
            Marshal.FreeCoTaskMem(pointer);
    }
}
