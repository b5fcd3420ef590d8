using System.Text.RegularExpressions;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>Issue 4, acceptance 8: 200,000 lines as fast as a replica can print them, with a 100 KB line among them.</summary>
public sealed class LogFloodTests
{
    private const int Lines = 200_000;
    private const int BigAt = 100_000;

    /// <summary>Block-buffered stdout (no -u) writes as fast as Python can; then it idles so the replica stays up.</summary>
    private static readonly string Flood = $$"""
        import sys, time
        big = "".join(chr(ord("a") + i % 26) for i in range(100_000))
        out = sys.stdout
        for i in range({{Lines}}):
            if i == {{BigAt}}:
                out.write("BIG " + big + " END\n")
            out.write(f"line {i:06d}\n")
        out.write("flood done\n")
        out.flush()
        while True:
            time.sleep(1)
        """;

    [Fact]
    public async Task Every_line_of_a_fast_printer_is_collected_in_order_and_a_long_line_is_split_not_dropped()
    {
        await using var fleet = new TestFleet();
        fleet.Service("flood", "command: [\"" + TestFleet.Python + "\", \"main.py\"]\n", ("main.py", Flood));
        await fleet.RunOkAsync("start");
        await Eventually.TrueAsync(() => fleet.LogLines("flood").LastOrDefault() == "flood done", "the flood to be collected");

        var logs = await fleet.RunOkAsync("logs", "flood");
        var printed = logs.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.StartsWith("flood.0 | ", StringComparison.Ordinal) ? l["flood.0 | ".Length..] : throw new InvalidDataException($"unexpected line: {l[..Math.Min(l.Length, 80)]}"))
            .ToList();

        var numbered = printed.Where(l => l.StartsWith("line ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Lines, numbered.Count);
        for (var i = 0; i < Lines; i++)
        {
            if (numbered[i] != $"line {i:000000}")
                Assert.Fail($"line {i} is '{numbered[i]}'");
        }

        // The 100 KB line comes right after line 099999, cut into pieces of at most 64 KiB that join up to the original.
        var expectedBig = "BIG " + string.Concat(Enumerable.Range(0, 100_000).Select(i => (char)('a' + i % 26))) + " END";
        var bigStart = printed.IndexOf($"line {BigAt - 1:000000}") + 1;
        var bigEnd = printed.IndexOf($"line {BigAt:000000}");
        var pieces = printed.GetRange(bigStart, bigEnd - bigStart);
        Assert.True(pieces.Count >= 2, $"the 100 KB line was not split: {pieces.Count} piece(s)");
        Assert.All(pieces, p => Assert.True(System.Text.Encoding.UTF8.GetByteCount(p) <= 64 * 1024, $"a piece of {p.Length} characters"));
        Assert.Equal(expectedBig, string.Concat(pieces));
        Assert.Equal(Lines + pieces.Count + 1, printed.Count);
        Assert.Matches(new Regex("^flood done$"), printed[^1]);
    }
}
