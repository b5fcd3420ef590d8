using McMaster.Extensions.CommandLineUtils;

namespace Orchestra.Cli;

/// <summary>Lets the argument parser write help and errors to the host's writers instead of the process console.</summary>
internal sealed class HostConsole(CliHost host) : IConsole
{
    public TextWriter Out => host.Out;
    public TextWriter Error => host.Error;
    public TextReader In => TextReader.Null;
    public bool IsInputRedirected => true;
    public bool IsOutputRedirected => !host.IsTerminal;
    public bool IsErrorRedirected => !host.IsTerminal;
    public ConsoleColor ForegroundColor { get; set; }
    public ConsoleColor BackgroundColor { get; set; }

    public event ConsoleCancelEventHandler? CancelKeyPress
    {
        add { }
        remove { }
    }

    public void ResetColor()
    {
    }
}
