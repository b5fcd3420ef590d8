namespace Orchestra.Runtime.Watch;

/// <summary>What one service watches (SPEC: rebuild on change; <c>watch:</c> in service.yml).</summary>
public sealed record WatchSet
{
    /// <summary>
    /// Full paths of files whose change matters (the MSBuild evaluation's Compile/Content/None… items and project
    /// files). Files that do not exist yet may be listed.
    /// </summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>
    /// Folders watched recursively for files matching <see cref="Include"/> and not <see cref="Exclude"/> (globs
    /// relative to that folder), e.g. the service folder. A file created there that matches Include counts (a new .cs file).
    /// </summary>
    public IReadOnlyList<string> Folders { get; init; } = [];

    /// <summary>Globs, relative to each of <see cref="Folders"/>, of the files that count there. Empty: only <see cref="Files"/> count.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    /// <summary>Globs, relative to each of <see cref="Folders"/>, of files that never count there even when included.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];
}
