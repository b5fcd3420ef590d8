using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Version = System.Version;
using Orchestra.Testing;

namespace Orchestra.Bench.DockerProbe;

/// <summary>
/// Measures one Docker client package against the local engine and prints one "check&lt;TAB&gt;result" line per
/// check; run.sh puts the two packages' lines side by side. This file is compiled into both probe projects, so the
/// checks are the same code; Api.cs in each project holds the few calls whose shape differs between the packages.
/// </summary>
static partial class Probe
{
    const string BenchLabel = "orchestra.bench";
    const string BenchLabelValue = "docker-client";
    const int DemuxLines = 2000;
    const int ThroughputLinesPerStream = 100_000;
    // Reads of the same logs per rate figure; the median is printed, as the engine's pace varies from read to read.
    const int Reads = 5;
    static readonly TimeSpan CancelAfter = TimeSpan.FromMilliseconds(200);
    // A check that takes longer than this is reported as hanging rather than left to block the run.
    static readonly TimeSpan CheckGuard = TimeSpan.FromSeconds(30);

    static async Task<int> Main(string[] args)
    {
        // probe [image] [--smoke] [--api 1.41]: --api pins the main client's API version instead of sending none.
        var api = Array.IndexOf(args, "--api") is var at and >= 0 ? Version.Parse(args[at + 1]) : null;
        var image = args.Where((a, i) => !a.StartsWith("--") && (i == 0 || args[i - 1] != "--api")).FirstOrDefault() ?? "orchestra-dclient-probe:1";
        Print("package", Api.Package);
        var recorder = new PathRecorder();
        using var client = Api.Connect(recorder, api);
        // The first request pays for the JIT and the serializer; it also clears what an interrupted run left.
        var firstRequest = Stopwatch.StartNew();
        await RemoveProbeObjectsAsync(client);
        Print("first requests, cleanup at start (cold: JIT, serializer)", Ms(firstRequest.Elapsed));
        try
        {
            // Containers join a network of their own, as vendors will; the default bridge is not relied on.
            var network = $"orchestra-probe-{Environment.ProcessId}";
            await client.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = network, Labels = ProbeLabels() });
            var target = new Target(image, network);
            if (args.Contains("--smoke"))
            {
                await CheckAsync("smoke (version, create, start, exec, remove)", () => SmokeAsync(client, target));
                return 0;
            }
            await ConnectChecksAsync(client, recorder);
            await NoEngineChecksAsync();
            await CancellationChecksAsync(client, target);
            await DemuxChecksAsync(client, target);
            await CheckAsync("vendor-shaped container: 127.0.0.1 port, named volume, network, healthcheck", () => VendorShapedAsync(client, target));
            await CheckAsync("pull of an image from an unreachable registry", () => PullUnreachableAsync(client));
            await CheckAsync("exec sh -c 'echo hi; echo oops >&2; exit 3'", () => ExecAsync(client, target));
            await CheckAsync("create+start+remove (median of 10)", () => LifecycleAsync(client, target));
            return 0;
        }
        finally
        {
            await RemoveProbeObjectsAsync(client);
        }
    }

    static async Task ConnectChecksAsync(DockerClient client, PathRecorder recorder)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        await CheckAsync("endpoint when DOCKER_HOST is unset", () =>
        {
            Environment.SetEnvironmentVariable("DOCKER_HOST", null);
            try
            {
                using var fresh = Api.LibraryDefault(new PathRecorder());
                return Task.FromResult(Api.Endpoint(fresh).ToString());
            }
            finally
            {
                Environment.SetEnvironmentVariable("DOCKER_HOST", dockerHost);
            }
        });
        await CheckAsync("library default honours DOCKER_HOST", () =>
        {
            const string elsewhere = "unix:///tmp/orchestra-probe-elsewhere.sock";
            Environment.SetEnvironmentVariable("DOCKER_HOST", elsewhere);
            try
            {
                using var fresh = Api.LibraryDefault(new PathRecorder());
                var endpoint = Api.Endpoint(fresh).ToString();
                return Task.FromResult(endpoint == elsewhere ? "yes" : $"no: DOCKER_HOST={elsewhere}, client uses {endpoint}");
            }
            finally
            {
                Environment.SetEnvironmentVariable("DOCKER_HOST", dockerHost);
            }
        });
        await CheckAsync("ping, warm (median of 20)", async () =>
        {
            var times = new List<TimeSpan>();
            for (var i = 0; i < 20; i++)
            {
                var watch = Stopwatch.StartNew();
                await client.System.PingAsync();
                times.Add(watch.Elapsed);
            }
            return Ms(Median(times));
        });
        await CheckAsync("engine version", async () =>
        {
            var version = await client.System.GetVersionAsync();
            return $"{version.Version}, API {version.APIVersion} (min {version.MinAPIVersion})";
        });
        await CheckAsync("request paths of the main client", () => Task.FromResult(recorder.Distinct()));
        await CheckAsync("pinned to API 1.41", () => PinnedAsync(new Version(1, 41)));
        await CheckAsync("pinned to API 1.54 (newer than the engine)", () => PinnedAsync(new Version(1, 54)));
    }

    static async Task<string> PinnedAsync(Version apiVersion)
    {
        var recorder = new PathRecorder();
        using var client = Api.Connect(recorder, apiVersion);
        try
        {
            _ = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
            return $"works ({recorder.Distinct()})";
        }
        catch (Exception e)
        {
            return $"{Describe(e)} ({recorder.Distinct()})";
        }
    }

    /// <summary>What a user without a running engine sees, and how long it takes to see it.</summary>
    static async Task NoEngineChecksAsync()
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var refusing = $"/tmp/orchestra-probe-{Environment.ProcessId}.sock";
        File.Delete(refusing);
        // Bound but never listening: connect(2) is refused, as when dockerd died and left its socket behind.
        // It stays open for the checks: .NET deletes the socket file when a bound Unix socket is disposed.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(refusing));
        try
        {
            foreach (var (what, path) in new[] { ("socket nobody listens on", refusing), ("missing socket file", "/tmp/orchestra-probe-missing.sock") })
            {
                await CheckAsync($"ping with DOCKER_HOST at a {what}", async () =>
                {
                    Environment.SetEnvironmentVariable("DOCKER_HOST", $"unix://{path}");
                    using var client = Api.Connect(new PathRecorder(), apiVersion: null);
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        await client.System.PingAsync();
                        return "ping answered?!";
                    }
                    catch (Exception e)
                    {
                        return $"{Ms(watch.Elapsed)}: {Describe(e)}";
                    }
                });
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOCKER_HOST", dockerHost);
            File.Delete(refusing);
        }
    }

    static async Task CancellationChecksAsync(DockerClient client, Target target)
    {
        var sleeper = await RunAsync(client, target, "sleep", "3600");
        await CheckAsync("WaitContainerAsync cancelled after 200 ms", () =>
            CancelledAsync(client, ct => client.Containers.WaitContainerAsync(sleeper, ct)));

        // Nothing to read: the cancellation has to interrupt a read blocked on the socket.
        await CheckAsync("follow logs of a silent container, cancelled after 200 ms", () =>
            CancelledAsync(client, ct => DrainAsync(client, sleeper, follow: true, ct)));

        var ticker = await RunAsync(client, target, "sh", "-c", "while true; do echo tick; sleep 0.05; done");
        await CheckAsync("follow logs of a busy container, cancelled after 200 ms", () =>
            CancelledAsync(client, ct => DrainAsync(client, ticker, follow: true, ct)));
    }

    /// <summary>
    /// Starts <paramref name="call"/>, cancels it after 200 ms, and reports how long it took to end after the
    /// cancel, how it ended, and whether the connection it held was closed.
    /// </summary>
    static async Task<string> CancelledAsync(DockerClient client, Func<CancellationToken, Task> call)
    {
        await client.System.PingAsync();
        var socketsBefore = OpenSockets();
        using var cts = new CancellationTokenSource();
        var running = call(cts.Token);
        // The experiment's input, not a wait for a condition: the call runs for 200 ms, then is cancelled. The
        // time is taken before Cancel(), which may run the caller's continuation inline (Docker.DotNet 3.125 does).
        await Task.WhenAny(running, Task.Delay(CancelAfter));
        var watch = Stopwatch.StartNew();
        cts.Cancel();
        string ending;
        try
        {
            await running;
            ending = "completed without cancelling";
        }
        catch (Exception e)
        {
            ending = Describe(e);
        }
        var afterCancel = watch.Elapsed;
        string released;
        try
        {
            await Eventually.TrueAsync(() => OpenSockets() <= socketsBefore, "the cancelled call's socket to close", TimeSpan.FromSeconds(5));
            released = "socket closed";
        }
        catch (TimeoutException)
        {
            released = $"socket still open 5 s later ({OpenSockets() - socketsBefore} more than before)";
        }
        return $"ended {Ms(afterCancel)} after the cancel: {ending}; {released}";
    }

    static async Task DemuxChecksAsync(DockerClient client, Target target)
    {
        var interleaved = await RunToExitAsync(client, target, "sh", "-c",
            $"i=0; while [ $i -lt {DemuxLines} ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done");
        await CheckAsync($"demux: {DemuxLines} stdout + {DemuxLines} stderr lines, timestamps=true", async () =>
        {
            var lines = await ReadLinesAsync(client, interleaved, CancellationToken.None);
            return Demux.Verify(lines, DemuxLines);
        });

        var flood = await RunToExitAsync(client, target, "awk",
            $"BEGIN {{ for (i = 0; i < {ThroughputLinesPerStream}; i++) {{ print \"out \" i; print \"err \" i > \"/dev/stderr\" }} }}");
        await CheckAsync($"log read rate, {2 * ThroughputLinesPerStream} lines (median of 5)", async () =>
        {
            var runs = new List<(TimeSpan Time, long Lines, long Bytes)>();
            for (var i = 0; i < Reads; i++)
            {
                var watch = Stopwatch.StartNew();
                var (lines, bytes) = await CountAsync(client, flood);
                runs.Add((watch.Elapsed, lines, bytes));
            }
            var median = runs.OrderBy(r => r.Time).ElementAt(Reads / 2);
            return Rate(median.Time, median.Lines, median.Bytes);
        });
        await CheckAsync("same read, raw HttpClient on the socket (no library)", async () =>
        {
            var endpoint = Api.Endpoint(client);
            if (endpoint.Scheme != "unix")
                return $"skipped: {endpoint} is not a Unix socket";
            var times = new List<(TimeSpan Time, long Lines, long Bytes)>();
            for (var i = 0; i < Reads; i++)
            {
                var watch = Stopwatch.StartNew();
                var (lines, bytes) = await RawLogs.CountAsync(endpoint.LocalPath, flood);
                times.Add((watch.Elapsed, lines, bytes));
            }
            var median = times.OrderBy(r => r.Time).ElementAt(Reads / 2);
            return Rate(median.Time, median.Lines, median.Bytes);
        });
    }

    /// <summary>
    /// The shape of a vendor container (issue 10): a port published on 127.0.0.1 only, a named volume, a user network
    /// and a healthcheck, all created through models generated for a newer API than this engine's.
    /// </summary>
    static async Task<string> VendorShapedAsync(DockerClient client, Target target)
    {
        var name = $"orchestra-probe-{Environment.ProcessId}";
        await client.Volumes.CreateAsync(new VolumesCreateParameters { Name = name, Labels = ProbeLabels() });
        var watch = Stopwatch.StartNew();
        var parameters = new CreateContainerParameters
        {
            Name = name,
            Image = target.Image,
            Cmd = ["sleep", "3600"],
            Labels = ProbeLabels(),
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["6379/tcp"] = default },
            HostConfig = new HostConfig
            {
                PortBindings = new Dictionary<string, IList<PortBinding>>
                {
                    ["6379/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }],
                },
                Mounts = [new Mount { Type = "volume", Source = name, Target = "/data" }],
                NetworkMode = target.Network,
            },
        };
        Api.SetHealthcheck(parameters, ["CMD", "/bin/busybox", "test", "-d", "/data"], TimeSpan.FromMilliseconds(100));
        var created = await client.Containers.CreateContainerAsync(parameters);
        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var healthy = await Eventually.ValueAsync(async () =>
        {
            var inspect = await client.Containers.InspectContainerAsync(created.ID);
            return inspect.State?.Health?.Status == "healthy" ? inspect : null;
        }, "the container to report healthy", TimeSpan.FromSeconds(20));
        var published = healthy.NetworkSettings?.Ports?["6379/tcp"]?.FirstOrDefault();
        var mount = healthy.Mounts.FirstOrDefault();
        var onNetwork = healthy.NetworkSettings?.Networks?.ContainsKey(target.Network) == true;
        return $"healthy after {Ms(watch.Elapsed)}; port {published?.HostIP}:{published?.HostPort}; " +
               $"mount {mount?.Type} {mount?.Name} → {mount?.Destination}; on network {target.Network}: {(onNetwork ? "yes" : "no")}";
    }

    /// <summary>Whether a failed pull throws, or only reports the failure in the progress stream.</summary>
    static async Task<string> PullUnreachableAsync(DockerClient client)
    {
        var messages = new List<JSONMessage>();
        var watch = Stopwatch.StartNew();
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = "registry.invalid/orchestra/none", Tag = "1" },
                null, new Progress<JSONMessage>(m => { lock (messages) messages.Add(m); }));
        }
        catch (Exception e)
        {
            return $"throws after {Ms(watch.Elapsed)}: {Describe(e)}";
        }
        lock (messages)
        {
            var error = messages.Select(m => m.Error?.Message).LastOrDefault(m => m != null);
            return $"does not throw ({Ms(watch.Elapsed)}); {messages.Count} progress messages, error: {error ?? "none"}";
        }
    }

    static async Task<string> ExecAsync(DockerClient client, Target target)
    {
        var container = await RunAsync(client, target, "sleep", "3600");
        var watch = Stopwatch.StartNew();
        var execId = await Api.CreateExecAsync(client, container, ["sh", "-c", "echo hi; echo oops >&2; exit 3"], CancellationToken.None);
        using var stream = await Api.StartExecAsync(client, execId, CancellationToken.None);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
        var inspect = await client.Exec.InspectContainerExecAsync(execId);
        long? exitCode = inspect.ExitCode;
        return $"exit {exitCode}, running={inspect.Running}, stdout '{stdout.Trim()}', stderr '{stderr.Trim()}', {Ms(watch.Elapsed)}";
    }

    static async Task<string> LifecycleAsync(DockerClient client, Target target)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            var watch = Stopwatch.StartNew();
            var id = await RunAsync(client, target, "sleep", "3600");
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
            times.Add(watch.Elapsed);
        }
        return $"{Ms(Median(times))} (min {Ms(times.Min())}, max {Ms(times.Max())})";
    }

    static async Task<string> SmokeAsync(DockerClient client, Target target)
    {
        var version = await client.System.GetVersionAsync();
        var exec = await ExecAsync(client, target);
        return $"API {version.APIVersion}; {exec}";
    }

    static async Task<string> RunAsync(DockerClient client, Target target, params string[] cmd)
    {
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = target.Image,
            Cmd = cmd,
            Tty = false,
            Labels = ProbeLabels(),
            HostConfig = new HostConfig { NetworkMode = target.Network },
        });
        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        return created.ID;
    }

    /// <summary>Runs a container to its end, so that reading its logs measures the read and not the writer.</summary>
    static async Task<string> RunToExitAsync(DockerClient client, Target target, params string[] cmd)
    {
        var id = await RunAsync(client, target, cmd);
        var exit = await client.Containers.WaitContainerAsync(id);
        if (exit.StatusCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', cmd)} exited with {exit.StatusCode}");
        return id;
    }

    static async Task RemoveProbeObjectsAsync(DockerClient client)
    {
        var ours = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [$"{BenchLabel}={BenchLabelValue}"] = true },
        };
        foreach (var container in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = ours }))
            await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        foreach (var network in await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = ours }))
            await client.Networks.DeleteNetworkAsync(network.ID);
        foreach (var volume in (await client.Volumes.ListAsync(new VolumesListParameters { Filters = ours })).Volumes ?? [])
            await client.Volumes.RemoveAsync(volume.Name);
    }

    static Dictionary<string, string> ProbeLabels() => new() { [BenchLabel] = BenchLabelValue };

    static ContainerLogsParameters LogsParameters(bool follow) =>
        new() { ShowStdout = true, ShowStderr = true, Timestamps = true, Follow = follow };

    /// <summary>Reads a log stream to its end (or to cancellation), discarding it.</summary>
    static async Task DrainAsync(DockerClient client, string id, bool follow, CancellationToken ct)
    {
        using var stream = await Api.LogsAsync(client, id, LogsParameters(follow), ct);
        var buffer = new byte[81920];
        while (!(await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct)).EOF)
        {
        }
    }

    static async Task<List<(MultiplexedStream.TargetStream Stream, string Line)>> ReadLinesAsync(DockerClient client, string id, CancellationToken ct)
    {
        using var stream = await Api.LogsAsync(client, id, LogsParameters(follow: false), ct);
        var lines = new List<(MultiplexedStream.TargetStream, string)>();
        var partial = new Dictionary<MultiplexedStream.TargetStream, List<byte>>();
        var buffer = new byte[81920];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct);
            if (read.EOF)
                return lines;
            // One frame can end mid-line; each stream keeps its own unfinished line.
            if (!partial.TryGetValue(read.Target, out var pending))
                partial[read.Target] = pending = [];
            foreach (var b in buffer.AsSpan(0, read.Count))
            {
                if (b != (byte)'\n')
                {
                    pending.Add(b);
                    continue;
                }
                lines.Add((read.Target, System.Text.Encoding.UTF8.GetString(pending.ToArray())));
                pending.Clear();
            }
        }
    }

    static async Task<(long Lines, long Bytes)> CountAsync(DockerClient client, string id)
    {
        using var stream = await Api.LogsAsync(client, id, LogsParameters(follow: false), CancellationToken.None);
        var buffer = new byte[81920];
        long lines = 0, bytes = 0;
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None);
            if (read.EOF)
                return (lines, bytes);
            lines += buffer.AsSpan(0, read.Count).Count((byte)'\n');
            bytes += read.Count;
        }
    }

    static async Task CheckAsync(string name, Func<Task<string>> check)
    {
        string result;
        try
        {
            result = await check().WaitAsync(CheckGuard);
        }
        catch (TimeoutException)
        {
            result = $"HANGS (no result after {CheckGuard.TotalSeconds:0} s)";
        }
        catch (Exception e)
        {
            result = $"FAILED {Describe(e)}";
        }
        Print(name, result);
    }

    static void Print(string check, string result) => Console.WriteLine($"{check}\t{result.ReplaceLineEndings(" ")}");

    /// <summary>The exception as a user would meet it: type and message, then each inner exception.</summary>
    static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var inner = e; inner != null; inner = inner.InnerException)
            parts.Add($"{inner.GetType().Name}: {Truncate(inner.Message.ReplaceLineEndings(" ").Trim(), 140)}");
        return string.Join(" ← ", parts);
    }

    static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    static int OpenSockets() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd => fd.LinkTarget?.StartsWith("socket:") == true);

    static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);

    static string Ms(TimeSpan time) => $"{time.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms";

    static string Rate(TimeSpan time, long lines, long bytes) =>
        $"{lines} lines in {Ms(time)}: {(lines / time.TotalSeconds).ToString("#,0", CultureInfo.InvariantCulture)} lines/s, " +
        $"{(bytes / time.TotalSeconds / 1e6).ToString("0.0", CultureInfo.InvariantCulture)} MB/s";

    /// <summary>What the probe's containers run and the network they join.</summary>
    sealed record Target(string Image, string Network);

    /// <summary>Records the method and path of every request, to see which API version the library asks for.</summary>
    sealed class PathRecorder : DelegatingHandler
    {
        readonly List<string> _requests = [];

        public string Distinct()
        {
            lock (_requests)
                return string.Join(", ", _requests.Distinct());
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_requests)
                _requests.Add($"{request.Method} {request.RequestUri?.AbsolutePath}");
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Checks that each line came out of the stream it was written to, whole, in order and time-stamped.</summary>
    static partial class Demux
    {
        [GeneratedRegex(@"^(?<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z) (?<text>(out|err) \d+)$")]
        private static partial Regex Line();

        public static string Verify(List<(MultiplexedStream.TargetStream Stream, string Line)> lines, int perStream)
        {
            var expected = new Dictionary<MultiplexedStream.TargetStream, (string Prefix, int Next)>
            {
                [MultiplexedStream.TargetStream.StandardOut] = ("out", 0),
                [MultiplexedStream.TargetStream.StandardError] = ("err", 0),
            };
            int misrouted = 0, outOfOrder = 0, malformed = 0, reversedInStream = 0, reversedAcross = 0;
            var last = DateTime.MinValue;
            var lastOf = new Dictionary<MultiplexedStream.TargetStream, DateTime>();
            foreach (var (stream, text) in lines)
            {
                var match = Line().Match(text);
                if (!match.Success || !expected.TryGetValue(stream, out var want))
                {
                    malformed++;
                    continue;
                }
                // The engine copies stdout and stderr in two goroutines, so only each stream's own order is promised.
                var time = ParseTime(match.Groups["time"].Value);
                if (time < lastOf.GetValueOrDefault(stream))
                    reversedInStream++;
                else if (time < last)
                    reversedAcross++;
                lastOf[stream] = time;
                last = time;
                var body = match.Groups["text"].Value;
                if (!body.StartsWith(want.Prefix))
                {
                    misrouted++;
                    continue;
                }
                if (body != $"{want.Prefix} {want.Next}")
                    outOfOrder++;
                expected[stream] = (want.Prefix, want.Next + 1);
            }
            var outCount = expected[MultiplexedStream.TargetStream.StandardOut].Next;
            var errCount = expected[MultiplexedStream.TargetStream.StandardError].Next;
            var ok = outCount == perStream && errCount == perStream && misrouted + outOfOrder + malformed + reversedInStream == 0;
            return $"{(ok ? "correct" : "WRONG")}: stdout {outCount}/{perStream}, stderr {errCount}/{perStream}, " +
                   $"misrouted {misrouted}, out of order {outOfOrder}, malformed {malformed}, timestamps going back " +
                   $"within a stream {reversedInStream}, across streams {reversedAcross}";
        }

        /// <summary>Docker writes RFC 3339 with up to 9 fractional digits; .NET parses at most 7.</summary>
        static DateTime ParseTime(string rfc3339)
        {
            var dot = rfc3339.IndexOf('.');
            var fraction = dot < 0 ? "" : rfc3339[(dot + 1)..^1];
            var seconds = dot < 0 ? rfc3339[..^1] : rfc3339[..dot];
            var ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture);
            return DateTime.ParseExact(seconds, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)
                .AddTicks(ticks);
        }
    }

    /// <summary>
    /// The floor for reading logs: HttpClient straight on the engine's socket, frames counted by hand, to tell the
    /// library's cost from the engine's.
    /// </summary>
    static class RawLogs
    {
        public static async Task<(long Lines, long Bytes)> CountAsync(string socketPath, string id)
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            using var http = new HttpClient(handler);
            using var response = await http.GetAsync($"http://docker/containers/{id}/logs?stdout=1&stderr=1&timestamps=1",
                HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var header = new byte[8];
            var buffer = new byte[81920];
            long lines = 0, bytes = 0;
            // Each frame: 1 byte stream, 3 zero bytes, 4 bytes big-endian payload length, the payload.
            while (await body.ReadAtLeastAsync(header, 8, throwOnEndOfStream: false) == 8)
            {
                var remaining = (header[4] << 24) | (header[5] << 16) | (header[6] << 8) | header[7];
                while (remaining > 0)
                {
                    var read = await body.ReadAsync(buffer.AsMemory(0, Math.Min(remaining, buffer.Length)));
                    if (read == 0)
                        throw new EndOfStreamException("The log stream ended inside a frame.");
                    lines += buffer.AsSpan(0, read).Count((byte)'\n');
                    bytes += read;
                    remaining -= read;
                }
            }
            return (lines, bytes);
        }
    }
}
