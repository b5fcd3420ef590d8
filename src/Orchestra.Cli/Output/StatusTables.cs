using Orchestra.Vendors.Containers;
using Orchestra.Runtime.State;
using System.Globalization;
using Orchestra.Supervisor.Control;
using Orchestra.Launching;
using Spectre.Console;

namespace Orchestra.Cli.Output;

/// <summary>The replica tables of <c>ps</c> and of <c>start</c>'s return.</summary>
internal static class StatusTables
{
    public static void WritePs(IReadOnlyList<ReplicaStatus> replicas, DateTimeOffset now, IAnsiConsole console)
    {
        // Containers have no pid of ours: their image says what runs (a vendor, a service under start --docker).
        var images = replicas.Any(r => r.Image is not null);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("SERVICE", "REPLICA", "PID", "STATE", "PORT", "UPTIME", "RESTARTS", "CPU", "MEMORY");
        if (images)
            table.AddColumn("IMAGE");
        foreach (var replica in replicas)
        {
            string[] cells =
            [
                Markup.Escape(replica.Service),
                replica.Replica.ToString(CultureInfo.InvariantCulture),
                replica.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
                replica.Rerun is { } phase ? $"{State(replica.State)}, {Phase(phase)}" : State(replica.State),
                Port(replica),
                replica.StartedAt is { } started && (replica.Pid is not null || replica.Image is not null) && replica.State != ReplicaState.Stopped ? Duration(now - started) : "-",
                replica.Restarts.ToString(CultureInfo.InvariantCulture),
                replica.CpuPercent is { } cpu ? $"{cpu:0.0}%" : "-",
                replica.RssBytes is { } rss ? Bytes(rss) : "-",
            ];
            table.AddRow(images ? [.. cells, Markup.Escape(replica.Image ?? "-")] : cells);
        }
        console.Write(table);
        // Every replica of a service carries its build errors; they are shown once, an error per line.
        foreach (var service in replicas.Where(r => r.BuildErrors.Count > 0).DistinctBy(r => r.Service))
        {
            console.MarkupLine($"[red]{Markup.Escape(service.Service)}[/]: the rerun after a change did not build, so it runs the previous build:");
            WriteIndented(service.BuildErrors, console);
        }
        foreach (var service in replicas.Where(r => r.TestFailures.Count > 0).DistinctBy(r => r.Service))
        {
            console.MarkupLine($"[red]{Markup.Escape(service.Service)}[/]: the rerun after a change did not pass its unit tests, so it runs the previous build:");
            WriteIndented(service.TestFailures, console);
        }
        foreach (var replica in replicas.Where(r => r.LogFault is not null))
            console.MarkupLine($"[red]{Markup.Escape(replica.Service)}.{replica.Replica}[/]: its output cannot be collected now, so it waits on disk and collection is retried: {Markup.Escape(replica.LogFault!)}");
        foreach (var replica in replicas.Where(r => r.State == ReplicaState.Crashed && r.LastLines.Count > 0))
        {
            console.MarkupLine($"[red]{Markup.Escape(replica.Service)}.{replica.Replica}[/] crashed; its last lines:");
            WriteIndented(replica.LastLines, console);
        }
    }

    private static void WriteIndented(IEnumerable<string> lines, IAnsiConsole console)
    {
        foreach (var line in lines)
            console.WriteLine("  " + line);
    }

    /// <summary>
    /// <c>vendors ps</c>: each vendor container the workspace's label finds, with the state and health the supervisor
    /// sees when one follows it, else Docker's own status.
    /// </summary>
    public static void WriteVendors(IReadOnlyList<ContainerEntry> containers, IReadOnlyList<ReplicaStatus> supervised, DateTimeOffset now, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("VENDOR", "STATE", "PORTS", "IMAGE", "UPTIME", "CONTAINER");
        foreach (var container in containers)
        {
            var replica = supervised.FirstOrDefault(r => r.Service == container.Service);
            table.AddRow(
                Markup.Escape(container.Service),
                replica is not null ? State(replica.State) : Markup.Escape(container.Status + " (not supervised)"),
                Markup.Escape(container.Ports.Count > 0 ? string.Join(", ", container.Ports) : "-"),
                Markup.Escape(container.Image),
                replica?.StartedAt is { } started && container.Running ? Duration(now - started) : "-",
                Markup.Escape(container.Name));
        }
        console.Write(table);
        if (containers.Count == 0)
            console.WriteLine("No vendor container of this workspace exists.");
    }

    public static void WriteStarted(IReadOnlyList<ReplicaStatus> replicas, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("SERVICE", "PID", "PORT", "STATE", "HEALTHY AFTER");
        foreach (var replica in replicas)
        {
            table.AddRow(
                Markup.Escape(replica.Replica == 0 ? replica.Service : $"{replica.Service}.{replica.Replica}"),
                replica.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
                Port(replica),
                State(replica.State),
                replica.TimeToHealthy is { } t ? $"{t.TotalSeconds:0.00}s" : "-");
        }
        console.Write(table);
    }

    /// <summary>The service's port, and behind the proxy the replica's own: <c>5101→41873</c>.</summary>
    private static string Port(ReplicaStatus replica) => (replica.ServicePort, replica.Port) switch
    {
        ({ } service, { } own) when own != service => $"{service.ToString(CultureInfo.InvariantCulture)}→{own.ToString(CultureInfo.InvariantCulture)}",
        (_, { } own) => own.ToString(CultureInfo.InvariantCulture),
        _ => "-",
    };

    private static string State(ReplicaState state) => state switch
    {
        ReplicaState.Healthy => "[green]healthy[/]",
        ReplicaState.Crashed => "[red]crashed[/]",
        ReplicaState.Unhealthy => "[yellow]unhealthy[/]",
        _ => state.Word(),
    };

    /// <summary>What a rerun is doing beside the replica's state: <c>healthy, building</c>.</summary>
    private static string Phase(RerunPhase phase) => $"[blue]{phase.ToString().ToLowerInvariant()}[/]";

    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 60 => $"{(int)span.TotalSeconds}s",
        < 3600 => $"{(int)span.TotalMinutes}m{span.Seconds:00}s",
        < 86400 => $"{(int)span.TotalHours}h{span.Minutes:00}m",
        _ => $"{(int)span.TotalDays}d{span.Hours:00}h",
    };

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 * 1024 => $"{bytes / 1024.0:0} KB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GB",
    };
}
