using McMaster.Extensions.CommandLineUtils;

namespace Orchestra.Cli;

/// <summary>What runs when parsing selects a command: each command registers its handler here.</summary>
internal sealed class CommandHandlers : Dictionary<CommandLineApplication, Func<CancellationToken, Task<int>>>;
