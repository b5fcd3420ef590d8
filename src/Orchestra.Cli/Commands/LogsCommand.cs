using McMaster.Extensions.CommandLineUtils;
using Orchestra.Cli.Output;
using Orchestra.Configuration;
using Orchestra.Discovery;
using Orchestra.Runtime.Logs;

namespace Orchestra.Cli.Commands;

/// <summary><c>logs [svc…]</c>: the replicas' collected output merged in time order; works whether or not the fleet runs.</summary>
internal static class LogsCommand
{
    public static void Register(CommandLineApplication app, CommandContext context, CommandHandlers handlers)
    {
        app.Command("logs", command =>
        {
            command.Description = "Print the services' output merged in time order, with a name.replica prefix; stderr lines are marked with '!'.";
            var services = command.ServicesArgument();
            var follow = command.Option("-f|--follow", "Keep printing new lines until Ctrl-C.", CommandOptionType.NoValue);
            var tail = command.Option("-n|--tail <N>", "Only the last N lines.", CommandOptionType.SingleValue);
            var since = command.Option("--since <WHEN>", "Only lines from WHEN on: a duration back from now (5m, 1h30m) or a timestamp.", CommandOptionType.SingleValue);
            var timestamps = command.Option("-t|--timestamps", "Show each line's time.", CommandOptionType.NoValue);
            handlers[command] = ct => context.RunInWorkspaceAsync("logs", async (workspace, token) =>
            {
                // Without names, the vendors' output is merged with the services'.
                var selected = services.Selected(workspace).Select(s => s.Name)
                    .Concat(services.Values.Count == 0 ? workspace.Vendors.Select(v => v.Name) : []).ToList();
                var query = Query(workspace, selected) with
                {
                    Follow = follow.HasValue(),
                    Tail = tail.HasValue() ? ParseTail(tail.Value()!) : null,
                    Since = since.HasValue() ? ParseSince(since.Value()!) : null,
                };
                return await PrintAsync(context, workspace, query, selected, timestamps.HasValue(), token);
            }, ct);
        }, throwOnUnexpectedArg: false);
    }

    /// <summary>
    /// Follows the logs of <paramref name="services"/> from <paramref name="since"/> on, until cancelled (Ctrl-C only
    /// detaches) or until <paramref name="until"/>, after which the lines written by then are still printed.
    /// </summary>
    /// <summary><c>vendors logs</c>: the named vendors' output (all when none are named), as <c>logs</c> prints it.</summary>
    public static Task<int> VendorsAsync(CommandContext context, Workspace workspace, IReadOnlyList<string> vendors, bool follow, CancellationToken cancellationToken) =>
        PrintAsync(context, workspace, Query(workspace, vendors) with { Follow = follow }, vendors, timestamps: false, cancellationToken);

    public static Task<int> FollowAsync(CommandContext context, Workspace workspace, IReadOnlyList<string> services, DateTimeOffset since, CancellationToken cancellationToken, CancellationToken until = default) =>
        PrintAsync(context, workspace, Query(workspace, services) with { Follow = true, Since = since, Until = until }, services, timestamps: false, cancellationToken);

    private static LogQuery Query(Workspace workspace, IReadOnlyList<string> services)
    {
        // Looked for again while following: replicas added by `scale` and a service's first event log come later.
        IReadOnlyList<ReplicaLogFiles> Find() =>
            ReplicaLogFiles.FindAll(ReplicaLogFiles.DirectoryIn(workspace.StateDirectory)).Where(f => services.Contains(f.Service)).ToList();
        return new LogQuery(Find()) { Discover = Find };
    }

    private static async Task<int> PrintAsync(CommandContext context, Workspace workspace, LogQuery query, IReadOnlyList<string> services, bool timestamps, CancellationToken cancellationToken)
    {
        var printer = new LogPrinter(context.Out, context.UseColor, context.Host.IsTerminal, timestamps, services, query.Replicas,
            workspace.Vendors.Select(v => v.Name).ToHashSet(StringComparer.Ordinal));
        try
        {
            await foreach (var entry in new LogReader(TimeProvider.System).ReadAsync(query, cancellationToken))
                printer.Write(entry);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && query.Follow)
        {
            // Ctrl-C ends following; it is how a user leaves `logs -f`.
        }
        return ExitCodes.Success;
    }

    private static int ParseTail(string text) =>
        int.TryParse(text, out var n) && n >= 0 ? n : throw new UsageException($"--tail takes a whole number of lines, got '{text}'.");

    private static DateTimeOffset ParseSince(string text)
    {
        if (DurationParser.TryParse(text, out var back))
        {
            var now = DateTimeOffset.UtcNow;
            // Further back than the calendar goes means every line there is.
            return back < now - DateTimeOffset.MinValue ? now - back : DateTimeOffset.MinValue;
        }
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            return at;
        throw new UsageException($"--since takes {DurationParser.Expected}, or a timestamp such as 2026-11-25T12:00:00Z; got '{text}'.");
    }
}
