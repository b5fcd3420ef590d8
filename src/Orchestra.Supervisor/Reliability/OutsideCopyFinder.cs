using Orchestra.Runtime.Processes;

namespace Orchestra.Supervisor.Reliability;

/// <summary>A process that runs a service outside Orchestra, or holds its port.</summary>
public sealed record OutsideProcess(int Pid, string CommandLine, bool IsCopy)
{
    public override string ToString() => $"pid {Pid} {CommandLine}";
}

/// <summary>
/// Finds copies of a service running outside Orchestra (the seed's Reliability goal): its built binary or DLL,
/// <c>dotnet run</c> or <c>dotnet watch</c> in its folder, and whatever listens on its port. A listener that is
/// none of those is reported as foreign, so the caller refuses to start rather than kill a stranger.
/// </summary>
public static class OutsideCopyFinder
{
    /// <param name="serviceDirectory">The service's folder.</param>
    /// <param name="builtFiles">Its built program: the apphost and the DLL.</param>
    /// <param name="port">Its port, if it has one.</param>
    /// <param name="isOwnReplica">True for pids that Orchestra runs itself, which are never outside copies.</param>
    public static IReadOnlyList<OutsideProcess> Find(string serviceDirectory, IReadOnlyCollection<string> builtFiles, int? port, Func<int, bool> isOwnReplica)
    {
        var self = Environment.ProcessId;
        var found = new Dictionary<int, OutsideProcess>();
        foreach (var pid in ProcessList.Pids())
        {
            if (pid == self || isOwnReplica(pid))
                continue;
            var arguments = ProcessList.CommandLine(pid);
            if (arguments.Count > 0 && IsCopy(arguments, serviceDirectory, builtFiles, pid))
                found[pid] = new OutsideProcess(pid, string.Join(' ', arguments), IsCopy: true);
        }
        if (port is { } p)
        {
            foreach (var pid in PortOwners.ListeningOn(p))
            {
                if (pid == self || isOwnReplica(pid) || found.ContainsKey(pid))
                    continue;
                var arguments = ProcessList.CommandLine(pid);
                var sameFolder = PathsEqual(ProcessList.WorkingDirectory(pid), serviceDirectory);
                found[pid] = new OutsideProcess(pid, string.Join(' ', arguments), IsCopy: sameFolder);
            }
        }
        return found.Values.OrderBy(p => p.Pid).ToList();
    }

    private static bool IsCopy(IReadOnlyList<string> arguments, string serviceDirectory, IReadOnlyCollection<string> builtFiles, int pid)
    {
        if (arguments.Any(a => builtFiles.Any(f => PathsEqual(a, f))))
            return true;
        // `dotnet run` and `dotnet watch` name no file of the service: their working folder does.
        var dotnet = Path.GetFileName(arguments[0]) is "dotnet" or "dotnet.exe";
        var verb = arguments.Skip(1).FirstOrDefault(a => !a.StartsWith('-'));
        return dotnet && verb is "run" or "watch" && PathsEqual(ProcessList.WorkingDirectory(pid), serviceDirectory);
    }

    private static bool PathsEqual(string? a, string? b) =>
        a is not null && b is not null
        && string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);
}
