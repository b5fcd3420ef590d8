// The runner tests drive real Linux processes through /proc and glibc.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
