using System.Text.Json;

var builder = WebApplication.CreateBuilder(args);

// Orchestra (like .NET Aspire) passes every service's address as services__NAME__http__0, the
// Microsoft.Extensions.ServiceDiscovery convention, so reading that key keeps this code free of
// any Orchestra dependency. The fallback is catalog's public port from its service.yml, which
// lets the two services also be started by hand.
var catalogAddress = builder.Configuration["services:catalog:http:0"] ?? "http://127.0.0.1:5101";

builder.Services.AddHttpClient("catalog", client =>
{
    client.BaseAddress = new Uri(catalogAddress);
    // Fail fast: a storefront stuck waiting on a dead catalog is worse than a clear 502.
    client.Timeout = TimeSpan.FromSeconds(5);
});

var app = builder.Build();

app.MapGet("/health", () => "ok");

app.MapGet("/storefront", async (IHttpClientFactory clients, CancellationToken cancellationToken) =>
{
    var catalog = clients.CreateClient("catalog");
    try
    {
        // Products pass through as raw JSON: the storefront does not need to know their shape.
        var products = await catalog.GetFromJsonAsync<JsonElement>("/products", cancellationToken);
        return Results.Ok(new { source = "catalog", products });
    }
    catch (Exception ex) when (ex is HttpRequestException or JsonException
                               || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
    {
        // 502, not 500: the storefront works, the service behind it does not.
        return Results.Problem(
            statusCode: StatusCodes.Status502BadGateway,
            title: "The catalog service is unavailable.",
            detail: $"GET {catalog.BaseAddress}products failed: {ex.Message}");
    }
});

app.Run();
