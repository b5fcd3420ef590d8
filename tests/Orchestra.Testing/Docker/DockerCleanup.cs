namespace Orchestra.Testing.Docker;

/// <summary>
/// Removes, on dispose, the containers, volumes and networks labelled with a workspace (<see cref="DockerEngine.WorkspaceLabel"/>):
/// a test that needs Docker creates one after <see cref="DockerRequirement.EnsureAsync"/> and leaves nothing behind,
/// whether it passed or not.
/// </summary>
public sealed class DockerCleanup(string workspaceRoot) : IAsyncDisposable
{
    /// <summary>The <c>--label</c> value that marks a container or volume for this cleanup.</summary>
    public string Label { get; } = $"{DockerEngine.WorkspaceLabel}={workspaceRoot}";

    public async ValueTask DisposeAsync()
    {
        using var engine = DockerEngine.FromEnvironment();
        using var deadline = new CancellationTokenSource(Eventually.Deadline);
        await engine.RemoveWorkspaceAsync(workspaceRoot, deadline.Token);
    }
}
