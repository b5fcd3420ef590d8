using System.Runtime.Versioning;
using Orchestra.Runtime.Processes;
using Orchestra.State;

namespace Orchestra.Supervisor.Reliability;

/// <summary>A process that runs a service outside Orchestra, or holds its port.</summary>
public sealed record OutsideProcess(int Pid, string CommandLine, bool IsCopy)
{
    public override string ToString() => $"pid {Pid} {CommandLine}";
}

/// <summary>
/// Finds copies of a service running outside Orchestra (the seed's Reliability goal), by what belongs to the service
/// alone: its own built program or assembly (<c>./bin/…/svc</c>, <c>dotnet path/to/svc.dll</c>, relative paths
/// resolved against the process's folder), <c>dotnet run</c> or <c>dotnet watch</c> in its folder, and a listener on
/// its port started from its folder. A host program (<c>dotnet</c>, <c>node</c>, <c>python3</c>, <c>java</c>,
/// <c>sh</c>…) is shared by unrelated processes and never identifies anything by itself. Only processes that run as
/// the invoking user alone are candidates, even for root, and never this process or its ancestors. A listener on
/// the port that is not a copy is reported as foreign, so the caller refuses to start rather than kill a stranger.
/// </summary>
[SupportedOSPlatform("linux")]
public static class OutsideCopyFinder
{
    /// <param name="serviceDirectory">The service's folder.</param>
    /// <param name="builtFiles">Files of the service's own: its apphost and DLL, or the program a command service holds. Others are ignored.</param>
    /// <param name="port">Its port, if it has one.</param>
    /// <param name="isOwnReplica">True for pids that Orchestra runs itself, which are never outside copies.</param>
    public static IReadOnlyList<OutsideProcess> Find(string serviceDirectory, IReadOnlyCollection<string> builtFiles, int? port, Func<int, bool> isOwnReplica)
    {
        var owned = builtFiles.Where(f => Path.IsPathRooted(f) && !HostPrograms.Names(f)).Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var spared = ProcFs.SelfAndAncestors(Environment.ProcessId).ToHashSet();
        var user = CurrentUser.Id;
        var found = new Dictionary<int, OutsideProcess>();
        foreach (var pid in ProcFs.Pids())
        {
            if (spared.Contains(pid) || isOwnReplica(pid) || !ProcFs.RunsAs(pid, user))
                continue;
            var arguments = ProcFs.CommandLine(pid);
            if (arguments.Count > 0 && IsCopy(new Candidate(arguments, ProcFs.WorkingDirectory(pid), ProcFs.Executable(pid)), serviceDirectory, owned))
                found[pid] = new OutsideProcess(pid, string.Join(' ', arguments), IsCopy: true);
        }
        if (port is { } p)
        {
            foreach (var pid in PortOwners.ListeningOn(p))
            {
                if (spared.Contains(pid) || isOwnReplica(pid) || found.ContainsKey(pid))
                    continue;
                var copy = ProcFs.RunsAs(pid, user) && SameFolder(ProcFs.WorkingDirectory(pid), serviceDirectory);
                found[pid] = new OutsideProcess(pid, string.Join(' ', ProcFs.CommandLine(pid)), copy);
            }
        }
        return found.Values.OrderBy(p => p.Pid).ToList();
    }

    /// <summary>What /proc says of one process: its arguments, its folder and the program it really runs.</summary>
    private sealed record Candidate(IReadOnlyList<string> Arguments, string? WorkingDirectory, string? Executable)
    {
        /// <summary>An argument as a full path: relative ones against the process's own folder; null when that cannot be known.</summary>
        public string? Resolve(string argument) =>
            Path.IsPathRooted(argument) ? Path.GetFullPath(argument)
            : WorkingDirectory is not null && argument.Length > 0 ? Path.GetFullPath(argument, WorkingDirectory)
            : null;
    }

    private static bool IsCopy(Candidate process, string serviceDirectory, HashSet<string> owned)
    {
        var program = process.Arguments[0];
        // The service's own program, however it was named (./bin/Debug/net10.0/svc, exec -a, a PATH entry).
        if (program.Contains('/') && process.Resolve(program) is { } path && owned.Contains(path)
            || process.Executable is { } executable && owned.Contains(executable))
            return true;
        if (!HostPrograms.Names(program) && !(process.Executable is { } host && HostPrograms.Names(host)))
            return false;
        // A host running one of the service's files: dotnet bin/Debug/net10.0/svc.dll, python3 ./main.py.
        if (process.Arguments.Skip(1).Any(a => process.Resolve(a) is { } argument && owned.Contains(argument)))
            return true;
        // `dotnet run` and `dotnet watch` name no built file: the folder they build does, as their own folder or --project.
        var verb = process.Arguments.Skip(1).FirstOrDefault(a => !a.StartsWith('-'));
        if (Path.GetFileName(program) is not ("dotnet" or "dotnet.exe") || verb is not ("run" or "watch"))
            return false;
        var project = ProjectOption(process.Arguments);
        var target = project is null ? process.WorkingDirectory : process.Resolve(project);
        return target is not null && (SameFolder(target, serviceDirectory) || SameFolder(Path.GetDirectoryName(target), serviceDirectory) && Path.HasExtension(target));
    }

    private static string? ProjectOption(IReadOnlyList<string> arguments)
    {
        for (var i = 1; i < arguments.Count; i++)
        {
            if (arguments[i] is "--project" or "-p" && i + 1 < arguments.Count)
                return arguments[i + 1];
            if (arguments[i].StartsWith("--project=", StringComparison.Ordinal))
                return arguments[i]["--project=".Length..];
        }
        return null;
    }

    private static bool SameFolder(string? a, string? b) =>
        a is not null && b is not null
        && string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);
}
