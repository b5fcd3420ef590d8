using Orchestra.Errors;
namespace Orchestra.Configuration;

/// <summary>One thing wrong with the configuration, at the place it was written.</summary>
public sealed record ConfigurationError(SourceLocation? Location, string Message)
{
    /// <summary><c>file:line:column: message</c>, or the message alone when no place applies.</summary>
    public override string ToString() => Location is { } at ? $"{at}: {Message}" : Message;
}

/// <summary>
/// The configuration cannot be used. Carries every error found, so a user fixes them in one pass
/// instead of one per run.
/// </summary>
public sealed class ConfigurationException : OrchestraException
{
    public ConfigurationException(IReadOnlyList<ConfigurationError> errors)
        : base(string.Join(Environment.NewLine, errors), FailureKind.Usage)
    {
        Errors = errors;
    }

    public ConfigurationException(SourceLocation? location, string message)
        : this([new ConfigurationError(location, message)])
    {
    }

    /// <summary>The errors, in file and line order.</summary>
    public IReadOnlyList<ConfigurationError> Errors { get; }

    /// <summary>One line per error, each starting with <c>file:line:column</c>.</summary>
    public override IEnumerable<string> Lines => Errors.Select(e => e.ToString());
}
