using System.Text;

namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>A command line the CLI still runs (see <see cref="TestFleet.Begin"/>); stopping it is its Ctrl-C.</summary>
public sealed class RunningCommand(Task<int> exit, LiveOutput output, CancellationTokenSource stop) : IAsyncDisposable
{
    /// <summary>The lines printed so far.</summary>
    public IReadOnlyList<string> Lines => output.Lines;

    /// <summary>Cancels the command and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await stop.CancelAsync();
        return await exit;
    }

    public async ValueTask DisposeAsync()
    {
        if (!exit.IsCompleted)
            await StopAsync();
        stop.Dispose();
    }
}

/// <summary>A writer whose text can be read while another thread writes it.</summary>
public sealed class LiveOutput : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text)
            _text.Append(value);
    }

    public override void Write(string? value)
    {
        lock (_text)
            _text.Append(value);
    }

    /// <summary>The complete lines written so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            string text;
            lock (_text)
                text = _text.ToString();
            return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
    }
}
