using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Orchestra.Build.Testing;

/// <summary>What a TRX report says: the counts, each failed test, and how long the run it reports took (by its <c>Times</c>).</summary>
internal sealed record TrxResults(TestCounts Counts, IReadOnlyList<FailedTest> Failures, TimeSpan Ran);

/// <summary>
/// Reads the TRX report VSTest and Microsoft.Testing.Platform both write. The counts come from the results
/// themselves, not from the report's Counters, which VSTest leaves at zero for skipped tests.
/// </summary>
internal static class TrxReader
{
    private const int StackLines = 5;
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>The report's results, or null when there is no report or it cannot be read.</summary>
    public static TrxResults? Read(string path)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or XmlException)
        {
            return null;
        }
        var classes = document.Descendants(Trx + "UnitTest").ToDictionary(
            t => (string?)t.Attribute("id") ?? "",
            t => (string?)t.Element(Trx + "TestMethod")?.Attribute("className"));
        int passed = 0, failed = 0, skipped = 0;
        var failures = new List<FailedTest>();
        foreach (var result in document.Descendants(Trx + "UnitTestResult"))
        {
            switch ((string?)result.Attribute("outcome"))
            {
                case "Passed":
                    passed++;
                    break;
                case "NotExecuted" or "Inconclusive":
                    skipped++;
                    break;
                default:
                    failed++;
                    failures.Add(Failure(result, classes.GetValueOrDefault((string?)result.Attribute("testId") ?? "")));
                    break;
            }
        }
        return new TrxResults(new TestCounts(passed, failed, skipped), failures, Ran(document.Root?.Element(Trx + "Times")));
    }

    private static TimeSpan Ran(XElement? times) =>
        DateTimeOffset.TryParse((string?)times?.Attribute("start"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
        && DateTimeOffset.TryParse((string?)times?.Attribute("finish"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var finish)
        && finish > start
            ? finish - start
            : TimeSpan.Zero;

    private static FailedTest Failure(XElement result, string? className)
    {
        var name = (string?)result.Attribute("testName") ?? "?";
        // MSTest names a test by its method alone; xunit by class and method already.
        if (className is { Length: > 0 } && !name.StartsWith(className + ".", StringComparison.Ordinal))
            name = $"{className}.{name}";
        var error = result.Element(Trx + "Output")?.Element(Trx + "ErrorInfo");
        var stack = ((string?)error?.Element(Trx + "StackTrace") ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Take(StackLines)
            .ToList();
        return new FailedTest(name, ((string?)error?.Element(Trx + "Message") ?? "").Trim(), stack);
    }
}
