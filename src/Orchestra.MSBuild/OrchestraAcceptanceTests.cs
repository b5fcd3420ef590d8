namespace Orchestra.MSBuild;

/// <summary>
/// <c>dotnet orchestra test --acceptance</c>: the acceptance projects of orchestra.yml against the fleet that runs
/// (OrchestraTest starts it first, and stops it after, whatever the tests say).
/// </summary>
public sealed class OrchestraAcceptanceTests : OrchestraToolTask
{
    protected override string Command => "test --acceptance";

    protected override string FailureCode => ErrorCodes.Tests;

    protected override string FailureSentence => "The acceptance tests failed.";
}
