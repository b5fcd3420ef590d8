// The catalog owns the product list; other services ask it over HTTP.
// No URL is set here: Kestrel binds to whatever ASPNETCORE_URLS says, which Orchestra sets per
// replica (each replica gets a port of its own behind the service's public port 5101).
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

// In-memory data keeps the sample free of a database; a real catalog would own one.
Product[] products =
[
    new(1, "Espresso beans, 1 kg", 24.90m),
    new(2, "Pour-over kettle", 39.00m),
    new(3, "Ceramic mug", 9.50m),
];

// Orchestra's health check (service.yml: health.http) waits for a 2xx here before routing
// traffic to this replica or starting the services that depend on it.
app.MapGet("/health", () => "ok");
app.MapGet("/products", () => products);

app.Run();

record Product(int Id, string Name, decimal Price);
