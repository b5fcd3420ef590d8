using Microsoft.Extensions.Configuration;
using Xunit;

namespace Shop.Acceptance;

// Orchestra runs these with the fleet's addresses in the environment (services__NAME__http__0), so they find the
// services through IConfiguration exactly as storefront finds catalog.
public class StorefrontTests
{
    private static readonly IConfiguration Configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    private static readonly HttpClient Http = new();

    private static string Address(string service) => Configuration[$"services:{service}:http:0"]
        ?? throw new InvalidOperationException($"services__{service}__http__0 is not set: run these with 'dotnet orchestra test --acceptance'.");

    [Fact]
    public async Task Catalog_lists_products()
    {
        var products = await Http.GetStringAsync(new Uri(new Uri(Address("catalog")), "/products"));
        Assert.Contains("Espresso beans", products);
    }

    [Fact]
    public async Task Storefront_shows_the_catalogs_products()
    {
        var page = await Http.GetStringAsync(new Uri(new Uri(Address("storefront")), "/storefront"));
        Assert.Contains("\"source\":\"catalog\"", page);
        Assert.Contains("Espresso beans", page);
    }
}
