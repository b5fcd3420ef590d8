// Every test here drives real Linux processes through /proc, signals and the supervisor's Unix socket.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
