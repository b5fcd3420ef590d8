namespace Orchestra.Build.Testing;

/// <summary>One unit test project of a service, named by its project file (made unique within the service).</summary>
public sealed record TestTarget(string Service, string Name, string ProjectPath)
{
    /// <summary>
    /// The name its cached evaluation and build fingerprint are kept under in <c>.orchestra/</c>: '~' never occurs in
    /// a service's name, so it never meets a service's own state.
    /// </summary>
    internal string StateKey => $"tests~{Service}~{Name}";

    /// <summary>How progress and errors name it.</summary>
    public override string ToString() => $"{Service}/{Name}";
}

/// <summary>A selected service's unit test projects (none is not an error), or why they could not be found.</summary>
public sealed record ServiceTests(string Service, IReadOnlyList<TestTarget> Projects, string? Error = null);
