using System.Globalization;
using System.Runtime.Versioning;

namespace Orchestra.Runtime.Processes;

/// <summary>CPU and memory of a process as <c>ps</c> shows them.</summary>
/// <param name="CpuPercent">CPU time over the process's lifetime, as a percentage of one core (like <c>ps</c>'s %CPU).</param>
/// <param name="RssBytes">Resident memory.</param>
public sealed record ProcessUsage(double CpuPercent, long RssBytes)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on.

    /// <summary>The usage of a live process, or null when it is gone or not readable.</summary>
    [SupportedOSPlatform("linux")]
    public static ProcessUsage? Sample(ProcessIdentity process)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{process.Pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // fields[N - 3] is field N of proc(5): utime 14, stime 15, starttime 22.
            if (fields.Length < 20 || ulong.Parse(fields[19], CultureInfo.InvariantCulture) != process.StartTime)
                return null;
            var cpuTicks = ulong.Parse(fields[11], CultureInfo.InvariantCulture) + ulong.Parse(fields[12], CultureInfo.InvariantCulture);
            var uptimeTicks = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture) * TicksPerSecond;
            var lifetime = Math.Max(1, uptimeTicks - process.StartTime);
            var residentPages = long.Parse(File.ReadAllText($"/proc/{process.Pid}/statm").Split(' ')[1], CultureInfo.InvariantCulture);
            return new ProcessUsage(100.0 * cpuTicks / lifetime, residentPages * Environment.SystemPageSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
