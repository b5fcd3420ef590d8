namespace Orchestra.MSBuild;

/// <summary><c>dotnet orchestra start</c>: builds and starts the whole workspace in the background and returns once it is healthy.</summary>
public sealed class OrchestraStart : OrchestraToolTask
{
    protected override string Command => "start";

    protected override string FailureCode => ErrorCodes.Start;

    protected override string FailureSentence => "The fleet did not start.";
}
