using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Orchestra.Configuration;
using Orchestra.Runtime.Health;
using Orchestra.Runtime.Logs;

namespace Orchestra.Runtime.Tests.Health;

public sealed class HealthProbeTests
{
    private readonly HealthWaiter _waiter = new(TimeProvider.System, new StartingCrowd());


    private static HealthConfig Config(HealthKind kind, string? target = null) =>
        new(kind, target, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task Tcp_is_ready_while_something_listens_on_the_port()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var probe = HealthProbes.Create(Config(HealthKind.Tcp), port);

        Assert.IsType<TcpProbe>(probe);
        Assert.True(await probe.CheckAsync(CancellationToken.None));
        listener.Stop();
        Assert.False(await probe.CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Http_is_ready_only_on_a_2xx_answer_from_the_path()
    {
        var port = Ports.Free();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = Serve(listener, stop.Token);

        Assert.True(await HealthProbes.Create(Config(HealthKind.Http, "/health"), port).CheckAsync(CancellationToken.None));
        Assert.False(await HealthProbes.Create(Config(HealthKind.Http, "broken"), port).CheckAsync(CancellationToken.None));
        Assert.False(await HealthProbes.Create(Config(HealthKind.Http, "/health"), Ports.Free()).CheckAsync(CancellationToken.None));

        await stop.CancelAsync();
        await server;
        // Disposing closes it; a Stop() first made the managed HttpListener bind the port again to remove it, which
        // failed with "Address already in use" whenever a parallel test had taken the port meanwhile.
    }

    [Theory]
    [InlineData(HealthKind.Tcp)]
    [InlineData(HealthKind.Http)]
    public async Task A_refused_connection_is_not_ready_and_throws_nothing(HealthKind kind)
    {
        // A starting replica refuses probe after probe; an exception for each made the runtime format its stack trace
        // with file and line, which loads the symbol readers and the PDBs into the supervisor for good.
        var probe = HealthProbes.Create(Config(kind, "/health"), Ports.Free());
        var thrown = new List<Exception>();
        var probing = new AsyncLocal<bool>();
        void Record(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (probing.Value)
                lock (thrown)
                    thrown.Add(e.Exception);
        }
        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            probing.Value = true;
            Assert.False(await probe.CheckAsync(CancellationToken.None));
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
        }
        Assert.Empty(thrown);
    }

    private static async Task Serve(HttpListener listener, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var context = await listener.GetContextAsync().WaitAsync(stop);
                context.Response.StatusCode = context.Request.Url!.AbsolutePath == "/health" ? 200 : 500;
                context.Response.Close();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public async Task Log_is_ready_once_a_matching_line_is_observed_and_forgets_on_reset()
    {
        var probe = Assert.IsType<LogProbe>(HealthProbes.Create(Config(HealthKind.Log, @"Now listening on: http://\S+"), null));
        var line = new LogEntry("api", 0, DateTimeOffset.UtcNow, LogStream.Stdout, "Now listening on: http://127.0.0.1:5000");

        Assert.False(await _waiter.WaitAsync(probe, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), CancellationToken.None));
        probe.Observe(line with { Text = "Starting" });
        Assert.False(await probe.CheckAsync(CancellationToken.None));
        probe.Observe(line);
        Assert.True(await _waiter.WaitAsync(probe, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5), CancellationToken.None));
        probe.Reset();
        Assert.False(await probe.CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_malformed_log_pattern_is_matched_literally()
    {
        var probe = LogProbe.For("ready (");
        probe.Observe(new LogEntry("api", 0, DateTimeOffset.UtcNow, LogStream.Stdout, "we are ready (really)"));
        Assert.True(await probe.CheckAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("/health", "http://127.0.0.1:5000/health")]
    [InlineData("ready?full=1", "http://127.0.0.1:5000/ready?full=1")]
    [InlineData("//evil.example/x", "http://127.0.0.1:5000/evil.example/x")]
    [InlineData("http://[bad", "http://127.0.0.1:5000/http://[bad")]
    public void An_http_probe_always_targets_the_loopback_port(string path, string expected) =>
        Assert.Equal(expected, new HttpProbe(5000, path).Uri.ToString());

    [Fact]
    public async Task None_and_port_less_network_probes_are_ready_at_once()
    {
        Assert.True(await HealthProbes.Create(Config(HealthKind.None), 5000).CheckAsync(CancellationToken.None));
        Assert.True(await HealthProbes.Create(Config(HealthKind.Tcp), null).CheckAsync(CancellationToken.None));
        Assert.IsType<TcpProbe>(HealthProbes.Create(Config(HealthKind.Default), 5000));
    }

    [Fact]
    public async Task The_waiter_keeps_probing_until_a_listener_appears()
    {
        var port = Ports.Free();
        var probe = new TcpProbe(port);
        var waiting = _waiter.WaitAsync(probe, TimeSpan.FromMilliseconds(20), Eventually.Deadline, CancellationToken.None);
        Assert.False(await probe.CheckAsync(CancellationToken.None));

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.True(await waiting);
    }
}
