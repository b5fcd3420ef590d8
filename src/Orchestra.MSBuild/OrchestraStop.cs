namespace Orchestra.MSBuild;

/// <summary><c>dotnet orchestra stop</c>: stops every service and the supervisor (vendors keep running, as after <c>stop</c>).</summary>
public sealed class OrchestraStop : OrchestraToolTask
{
    protected override string Command => "stop";

    protected override string FailureCode => ErrorCodes.Stop;

    protected override string FailureSentence => "The fleet did not stop.";
}
