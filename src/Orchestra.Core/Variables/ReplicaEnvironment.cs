namespace Orchestra.Variables;

/// <summary>Which layer of SPEC §2's precedence order a variable came from, lowest first.</summary>
public enum VariableOrigin
{
    /// <summary>Orchestra's own environment, passed through.</summary>
    Inherited,
    /// <summary>An <c>env_file</c> of orchestra.yml.</summary>
    WorkspaceEnvFile,
    /// <summary><c>env:</c> of orchestra.yml.</summary>
    WorkspaceEnv,
    /// <summary><c>commands.&lt;name&gt;.env</c> of orchestra.yml.</summary>
    CommandEnv,
    /// <summary>Set by Orchestra: ports, service addresses, connection strings.</summary>
    Injected,
    /// <summary>An <c>env_file</c> of service.yml.</summary>
    ServiceEnvFile,
    /// <summary><c>env:</c> of service.yml.</summary>
    ServiceEnv,
}

/// <summary>A variable of a replica's environment and the layer that set it.</summary>
public sealed record ResolvedVariable(string Name, string Value, VariableOrigin Origin, string Source);

/// <summary>The complete environment of one replica, in name order.</summary>
public sealed class ReplicaEnvironment
{
    public ReplicaEnvironment(IReadOnlyList<ResolvedVariable> variables) => Variables = variables;

    public IReadOnlyList<ResolvedVariable> Variables { get; }

    /// <summary>The variables Orchestra sets or changes, leaving out what is merely inherited.</summary>
    public IEnumerable<ResolvedVariable> Configured => Variables.Where(v => v.Origin != VariableOrigin.Inherited);

    public string? this[string name] => Variables.FirstOrDefault(v => v.Name == name)?.Value;

    public IReadOnlyDictionary<string, string> ToDictionary() => Variables.ToDictionary(v => v.Name, v => v.Value);
}
