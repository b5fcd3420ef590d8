using System.Diagnostics;
using Orchestra.EndToEnd.Tests.Support;

namespace Orchestra.EndToEnd.Tests;

/// <summary>
/// Issue 8, point 10: every child of the supervisor is reaped. A multi-threaded replica (every .NET app) whose main
/// thread ends before its other threads shows as a zombie while it still runs; stopping it must wait until it can
/// be reaped, or it stays a zombie of the supervisor for good.
/// </summary>
public sealed class ReapingTests
{
    /// <summary>On SIGTERM the main thread ends at once and another thread lingers a second before the process exits.</summary>
    private const string Lingering = """
        #include <pthread.h>
        #include <signal.h>
        #include <stdio.h>
        #include <unistd.h>
        static volatile int leaving;
        static void *linger(void *arg) {
            while (!leaving) usleep(1000);
            sleep(1);
            return arg;
        }
        int main(void) {
            sigset_t term;
            sigemptyset(&term);
            sigaddset(&term, SIGTERM);
            pthread_sigmask(SIG_BLOCK, &term, NULL);
            pthread_t thread;
            pthread_create(&thread, NULL, linger, NULL);
            printf("up\n");
            fflush(stdout);
            int signal;
            sigwait(&term, &signal);
            leaving = 1;
            pthread_exit(NULL);
        }
        """;

    [Fact]
    public async Task A_replica_whose_main_thread_ends_first_is_reaped_by_restart_scale_and_stop()
    {
        await using var fleet = new TestFleet();
        fleet.Service("lingering", "command: [\"./lingering\"]\nhealth: { log: \"up\" }\n", ("lingering.c", Lingering));
        fleet.PythonService("other", "import time\nprint('up', flush=True)\nwhile True:\n    time.sleep(1)\n", "health: { log: \"up\" }\n");
        Compile(fleet.PathOf("lingering"));
        await fleet.RunOkAsync("start", "--scale", "lingering=2");
        var supervisor = fleet.SupervisorPid!.Value;

        await fleet.RunOkAsync("restart", "lingering");
        Assert.Empty(ZombieChildren(supervisor));
        await fleet.RunOkAsync("scale", "lingering=1");
        Assert.Empty(ZombieChildren(supervisor));
        await fleet.RunOkAsync("stop", "lingering");
        Assert.Empty(ZombieChildren(supervisor));
        Assert.Equal(["other"], (await fleet.PsAsync()).Where(r => r.Pid is not null).Select(r => r.Service));
    }

    private static List<int> ZombieChildren(int parent) =>
        Procs.All().Where(pid => Procs.Parent(pid) == parent && Procs.State(pid) == 'Z').ToList();

    private static void Compile(string folder)
    {
        using var cc = Process.Start(new ProcessStartInfo("cc", ["-pthread", "-o", "lingering", "lingering.c"]) { WorkingDirectory = folder, RedirectStandardError = true })!;
        var errors = cc.StandardError.ReadToEnd();
        cc.WaitForExit();
        Assert.True(cc.ExitCode == 0, errors);
    }
}
