namespace Orchestra.Testing;

/// <summary>
/// Something slow to make (a built project, built samples) made once per test run on first use and shared by test
/// classes that run in parallel. An xunit collection fixture also makes it once, but then runs its classes one after
/// another, which made the slowest collections the suite's wall time. What was made is disposed when the test process
/// exits.
/// </summary>
public sealed class OncePerRun<T> where T : class
{
    private readonly Lazy<Task<T>> _made;

    public OncePerRun(Func<Task<T>> make)
    {
        _made = new Lazy<Task<T>>(make, LazyThreadSafetyMode.ExecutionAndPublication);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeMade();
    }

    /// <summary>What was made; the first caller makes it, the others wait for it (a failure is every caller's).</summary>
    public Task<T> GetAsync() => _made.Value;

    private void DisposeMade()
    {
        if (!_made.IsValueCreated || !_made.Value.IsCompletedSuccessfully)
            return;
        if (_made.Value.Result is IAsyncDisposable asynchronous)
            asynchronous.DisposeAsync().AsTask().GetAwaiter().GetResult();
        else if (_made.Value.Result is IDisposable disposable)
            disposable.Dispose();
    }
}
