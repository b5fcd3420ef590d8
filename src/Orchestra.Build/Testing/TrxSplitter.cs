using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Orchestra.Build.Testing;

/// <summary>
/// Splits the TRX report of a run of several test assemblies into one report per assembly, each holding only that
/// assembly's tests and results, its counters recomputed from them, and its finish time that of its own last test;
/// the run's mixed standard output and messages are left out. An assembly with no result still gets a report.
/// </summary>
internal static class TrxSplitter
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>
    /// Writes a report for each assembly of <paramref name="reportByAssembly"/> (full path of the built assembly →
    /// report to write); writes nothing when the combined report is missing or cannot be read.
    /// </summary>
    public static void Split(string combinedPath, IReadOnlyDictionary<string, string> reportByAssembly)
    {
        XDocument combined;
        try
        {
            combined = XDocument.Load(combinedPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or XmlException)
        {
            return;
        }
        var assemblyOfTest = combined.Descendants(Trx + "UnitTest").ToDictionary(
            t => (string?)t.Attribute("id") ?? "",
            t => Assembly(t, reportByAssembly.Keys));
        foreach (var (assembly, report) in reportByAssembly)
        {
            var own = new XDocument(combined);
            bool Foreign(XElement e, string idAttribute) => assemblyOfTest.GetValueOrDefault((string?)e.Attribute(idAttribute) ?? "") != assembly;
            own.Descendants(Trx + "UnitTest").Where(t => Foreign(t, "id")).Remove();
            own.Descendants(Trx + "UnitTestResult").Where(r => Foreign(r, "testId")).Remove();
            own.Descendants(Trx + "TestEntry").Where(e => Foreign(e, "testId")).Remove();
            var results = own.Descendants(Trx + "UnitTestResult").ToList();
            Summarise(own, results);
            Time(own, results);
            own.Save(report);
        }
    }

    /// <summary>Which of <paramref name="assemblies"/> a test belongs to: its code base, else its storage (which VSTest writes in lower case).</summary>
    private static string? Assembly(XElement unitTest, IEnumerable<string> assemblies)
    {
        var codeBase = (string?)unitTest.Element(Trx + "TestMethod")?.Attribute("codeBase");
        var storage = (string?)unitTest.Attribute("storage");
        return assemblies.FirstOrDefault(a => string.Equals(a, codeBase, StringComparison.Ordinal))
            ?? assemblies.FirstOrDefault(a => string.Equals(a, storage, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The counters of the results left (each outcome's counter is its name in camelCase), and the outcome they make.</summary>
    private static void Summarise(XDocument report, IReadOnlyList<XElement> results)
    {
        if (report.Descendants(Trx + "ResultSummary").FirstOrDefault() is not { } summary)
            return;
        summary.Element(Trx + "Output")?.Remove();
        summary.Element(Trx + "RunInfos")?.Remove();
        var outcomes = results.Select(r => (string?)r.Attribute("outcome") ?? "").ToList();
        summary.SetAttributeValue("outcome", outcomes.Exists(o => o is "Failed" or "Error" or "Timeout" or "Aborted") ? "Failed" : "Completed");
        if (summary.Element(Trx + "Counters") is not { } counters)
            return;
        foreach (var counter in counters.Attributes())
            counter.Value = "0";
        foreach (var group in outcomes.Where(o => o.Length > 0).GroupBy(o => char.ToLowerInvariant(o[0]) + o[1..]))
            counters.SetAttributeValue(group.Key, group.Count());
        counters.SetAttributeValue("total", outcomes.Count);
        counters.SetAttributeValue("executed", outcomes.Count(o => o != "NotExecuted"));
    }

    /// <summary>
    /// The report's times: from the run's start, when the testhosts start, to the end of its own last test, when it
    /// has any; so its duration counts its testhost's start as a project run alone would.
    /// </summary>
    private static void Time(XDocument report, IReadOnlyList<XElement> results)
    {
        var ends = results.Select(r => Instant(r, "endTime")).OfType<DateTimeOffset>().ToList();
        if (ends.Count > 0 && report.Root?.Element(Trx + "Times") is { } times)
            times.SetAttributeValue("finish", ends.Max().ToString("o", CultureInfo.InvariantCulture));
    }

    private static DateTimeOffset? Instant(XElement element, string attribute) =>
        DateTimeOffset.TryParse((string?)element.Attribute(attribute), CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) ? instant : null;
}
