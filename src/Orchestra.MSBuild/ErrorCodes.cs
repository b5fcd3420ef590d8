namespace Orchestra.MSBuild;

/// <summary>The codes of the MSBuild errors the Orchestra targets log (docs/msbuild.md lists them for users).</summary>
internal static class ErrorCodes
{
    /// <summary>Bad configuration or usage: a broken orchestra.yml or service.yml (with its file, line and column), exit code 2.</summary>
    public const string Configuration = "ORC001";
    /// <summary>The orchestra tool is not found, cannot run, or is not the package's version.</summary>
    public const string Tool = "ORC002";
    /// <summary>The fleet did not start or did not get healthy.</summary>
    public const string Start = "ORC003";
    /// <summary>The acceptance tests failed or could not run.</summary>
    public const string Tests = "ORC004";
    /// <summary>The fleet did not stop.</summary>
    public const string Stop = "ORC005";
}
