// Plain Microsoft.NET.Sdk adds no hosting namespaces to the implicit usings (the Worker SDK
// would, but it also needs the Microsoft.Extensions.Hosting package).
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddHostedService<Ticker>();
builder.Build().Run();

// Stands in for real background work (queue consumer, scheduler, ...).
sealed class Ticker(ILogger<Ticker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // service.yml's health check (log: "worker started") waits for exactly this line.
        logger.LogInformation("worker started");

        // PeriodicTimer does not drift or overlap ticks the way Task.Delay in a loop can.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(3));
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                logger.LogInformation("worker tick {Tick}", ++tick);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Orchestra stopped us (SIGTERM): a normal shutdown, not an error.
        }
    }
}
