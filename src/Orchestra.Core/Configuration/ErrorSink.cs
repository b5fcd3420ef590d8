namespace Orchestra.Configuration;

/// <summary>Collects configuration errors while a file is read, then throws them together.</summary>
internal sealed class ErrorSink
{
    private readonly List<ConfigurationError> _errors = [];

    public bool HasErrors => _errors.Count > 0;

    public void Add(SourceLocation? location, string message) => _errors.Add(new ConfigurationError(location, message));

    public void AddRange(IEnumerable<ConfigurationError> errors) => _errors.AddRange(errors);

    public void ThrowIfAny()
    {
        if (_errors.Count == 0)
            return;
        var ordered = _errors
            .OrderBy(e => e.Location?.File, StringComparer.Ordinal)
            .ThenBy(e => e.Location?.Line)
            .ThenBy(e => e.Location?.Column)
            .ToList();
        throw new ConfigurationException(ordered);
    }
}
