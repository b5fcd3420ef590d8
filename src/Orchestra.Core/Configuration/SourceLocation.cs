namespace Orchestra.Configuration;

/// <summary>A position in a configuration file, 1-based, as editors show it.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>The location as <c>file:line:column</c>.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>A configuration value together with where it was written.</summary>
public readonly record struct Located<T>(T Value, SourceLocation Location);
