using Microsoft.Extensions.Time.Testing;
using Orchestra.Supervisor;
using Orchestra.Supervisor.Control;

namespace Orchestra.Tests.Supervisor;

public sealed class IdleMemoryTrimTests
{
    [Fact]
    public void The_heap_is_trimmed_once_a_second_after_the_last_activity_and_not_before()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trims = 0;
        using var trim = new IdleMemoryTrim(clock, () => trims++);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, trims);
        trim.Activity();
        clock.Advance(IdleMemoryTrim.Quiet / 2);
        // A burst of requests pays for one collection, after its last request.
        trim.Activity();
        clock.Advance(IdleMemoryTrim.Quiet / 2);
        Assert.Equal(0, trims);
        clock.Advance(IdleMemoryTrim.Quiet / 2);
        Assert.Equal(1, trims);
        // One-shot: an idle supervisor is not woken again.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, trims);
    }

    [Fact]
    public async Task Every_request_counts_as_activity_also_one_that_fails()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trims = 0;
        using var trim = new IdleMemoryTrim(clock, () => trims++);
        var handler = new TrimmingHandler(new Throwing(), trim);

        await Assert.ThrowsAsync<InvalidOperationException>(() => handler.HandleAsync(new ControlRequest { Op = ControlOp.Status }, _ => Task.CompletedTask, CancellationToken.None));
        clock.Advance(IdleMemoryTrim.Quiet);
        Assert.Equal(1, trims);
    }

    [Fact]
    public void The_default_trim_is_a_full_collection()
    {
        var before = GC.CollectionCount(GC.MaxGeneration);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var timed = new IdleMemoryTrim(clock);

        timed.Activity();
        clock.Advance(IdleMemoryTrim.Quiet);
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before, "a full collection ran");
    }

    private sealed class Throwing : IControlHandler
    {
        public Task<ControlEvent> HandleAsync(ControlRequest request, Func<ControlEvent, Task> progress, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the work failed");
    }
}
