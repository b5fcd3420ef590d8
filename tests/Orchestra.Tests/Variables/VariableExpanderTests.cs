using Orchestra.Configuration;
using Orchestra.Variables;

namespace Orchestra.Tests.Variables;

public sealed class VariableExpanderTests
{
    private static readonly SourceLocation At = new("/ws/orchestra.yml", 1, 1);

    private static IReadOnlyDictionary<string, string> Expand(IReadOnlyDictionary<string, string> below, params (string Name, string Value)[] layer) =>
        VariableExpander.ExpandLayer(
            layer.Select((e, i) => new EnvEntry(e.Name, e.Value, At with { Line = i + 1 })).ToList(),
            below.GetValueOrDefault,
            StringComparer.Ordinal);

    private static readonly Dictionary<string, string> Below = new() { ["HOME"] = "/home/me", ["PATH"] = "/bin" };

    [Fact]
    public void A_reference_expands_from_the_layers_below()
    {
        Assert.Equal("/home/me/data", Expand(Below, ("DATA", "${HOME}/data"))["DATA"]);
    }

    [Fact]
    public void A_reference_to_the_same_layer_is_followed()
    {
        var result = Expand(Below, ("URL", "http://${HOST}:${PORT}"), ("HOST", "localhost"), ("PORT", "80"));

        Assert.Equal("http://localhost:80", result["URL"]);
    }

    [Fact]
    public void A_variable_naming_itself_extends_the_value_below()
    {
        Assert.Equal("/opt/bin:/bin", Expand(Below, ("PATH", "/opt/bin:${PATH}"))["PATH"]);
    }

    [Fact]
    public void Double_dollar_is_a_literal_dollar_and_unset_names_are_empty()
    {
        var result = Expand(Below, ("PRICE", "$$5 ${NOPE}!"), ("LONE", "a $ b"));

        Assert.Equal("$5 !", result["PRICE"]);
        Assert.Equal("a $ b", result["LONE"]);
    }

    [Fact]
    public void A_default_applies_when_the_name_is_unset_or_empty()
    {
        var result = Expand(Below, ("A", "${NOPE:-fallback}"), ("B", "${HOME:-fallback}"));

        Assert.Equal("fallback", result["A"]);
        Assert.Equal("/home/me", result["B"]);
    }

    [Fact]
    public void A_cycle_is_an_error_that_prints_it()
    {
        var e = Assert.Throws<ConfigurationException>(() => Expand(Below, ("A", "${B}"), ("B", "${C}"), ("C", "${A}")));

        var error = Assert.Single(e.Errors);
        Assert.Equal("the variables refer to each other in a cycle: A -> B -> C -> A.", error.Message);
        Assert.Equal(At, error.Location);
    }
}
