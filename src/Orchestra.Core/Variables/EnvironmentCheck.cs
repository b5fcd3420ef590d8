using Orchestra.Configuration;
using Orchestra.Discovery;

namespace Orchestra.Variables;

/// <summary>
/// What resolving an environment could fail on, found when the workspace loads, so that a command fails before it
/// starts anything rather than halfway through: every env file must exist and parse, and no layer may hold a cycle
/// of references. A cycle can only close within one layer (see <see cref="VariableExpander"/>), so each layer is
/// expanded on its own, with nothing below it.
/// </summary>
internal static class EnvironmentCheck
{
    public static IReadOnlyList<ConfigurationError> Errors(Workspace workspace)
    {
        var errors = new List<ConfigurationError>();
        var config = workspace.Config;
        var layers = new List<IReadOnlyList<EnvEntry>>();
        layers.AddRange(ReadEnvFiles(config.EnvFiles, workspace.Root, errors));
        layers.Add(config.Env);
        layers.AddRange(config.Commands.Values.Select(c => c.Env));
        foreach (var service in workspace.Services)
        {
            layers.AddRange(ReadEnvFiles(service.Config.EnvFiles, service.Directory, errors));
            layers.Add(service.Config.Env);
        }
        foreach (var layer in layers)
        {
            try
            {
                VariableExpander.ExpandLayer(layer, _ => null, EnvironmentResolver.Names);
            }
            catch (ConfigurationException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        return errors;
    }

    private static IEnumerable<IReadOnlyList<EnvEntry>> ReadEnvFiles(IReadOnlyList<Located<string>> files, string folder, List<ConfigurationError> errors)
    {
        foreach (var file in files)
        {
            IReadOnlyList<EnvEntry> entries;
            try
            {
                entries = DotEnvParser.Read(Path.GetFullPath(file.Value, folder), file.Location);
            }
            catch (ConfigurationException e)
            {
                errors.AddRange(e.Errors);
                continue;
            }
            yield return entries;
        }
    }
}
