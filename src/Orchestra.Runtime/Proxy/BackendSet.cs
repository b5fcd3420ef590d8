using System.Collections.ObjectModel;
using System.Net;

namespace Orchestra.Runtime.Proxy;

/// <summary>
/// The ready backends of one proxy and whose turn it is. A set is never changed, only replaced whole, so a
/// connection reads one consistent snapshot without a lock; replacing it wakes whoever waits for a change.
/// </summary>
internal sealed class BackendSet
{
    private Generation _current = new([]);
    private uint _turns;

    /// <summary>The backends as last set.</summary>
    public Generation Current => Volatile.Read(ref _current);

    public void Replace(IReadOnlyList<int> ports) =>
        Interlocked.Exchange(ref _current, new Generation(ports)).MarkReplaced();

    /// <summary>Where the next connection starts in a set of <paramref name="count"/> backends: round-robin across connections.</summary>
    public int NextTurn(int count) => (int)((Interlocked.Increment(ref _turns) - 1) % (uint)count);

    /// <summary>One set of backend ports, the end points to connect to, and a task that completes when it is replaced.</summary>
    internal sealed class Generation
    {
        // Continuations run on the thread pool: SetBackends is called on the supervisor's threads and must stay cheap.
        private readonly TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Generation(IReadOnlyList<int> ports)
        {
            var copy = ports.ToArray();
            Ports = new ReadOnlyCollection<int>(copy);
            Endpoints = Array.ConvertAll(copy, port => new IPEndPoint(IPAddress.Loopback, port));
        }

        public IReadOnlyList<int> Ports { get; }

        public IPEndPoint[] Endpoints { get; }

        public Task Replaced => _replaced.Task;

        public void MarkReplaced() => _replaced.TrySetResult();
    }
}
