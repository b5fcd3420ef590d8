using McMaster.Extensions.CommandLineUtils;
using Orchestra.Discovery;
using Orchestra.Selection;

namespace Orchestra.Cli.Commands;

/// <summary>The <c>[svc…]</c> argument every fleet command takes (SPEC §3): names, or <c>~name</c> for all but name.</summary>
internal static class ServiceArguments
{
    public static CommandArgument ServicesArgument(this CommandLineApplication command) =>
        command.Argument("SERVICES", "Services (default: all), or ~name for all but name.", multipleValues: true);

    public static IReadOnlyList<ServiceDefinition> Selected(this CommandArgument services, Workspace workspace) =>
        ServiceSelector.Select(workspace, services.Values.OfType<string>().ToList());
}
