using System.Collections;

namespace Orchestra.Variables;

/// <summary>The environment variables of this process, as a dictionary that compares names as the platform does.</summary>
public static class ProcessEnvironment
{
    public static IReadOnlyDictionary<string, string> Read()
    {
        var result = new Dictionary<string, string>(EnvironmentResolver.Names);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        return result;
    }
}
