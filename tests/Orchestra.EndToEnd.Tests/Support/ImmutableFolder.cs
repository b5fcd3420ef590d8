using System.Diagnostics;

namespace Orchestra.EndToEnd.Tests.Support;

/// <summary>
/// A folder made immutable with <c>chattr +i</c> (from e2fsprogs) until released: nothing can be created, renamed or
/// deleted in it, even by root, which <c>chmod</c> cannot deny. Files already in it can still be written. Disposing
/// releases it, so a failing test still leaves a folder that can be deleted.
/// </summary>
public sealed class ImmutableFolder : IAsyncDisposable
{
    private readonly string _path;
    private bool _released;

    private ImmutableFolder(string path) => _path = path;

    public static async Task<ImmutableFolder> LockAsync(string path)
    {
        await ChattrAsync("+i", path);
        return new ImmutableFolder(path);
    }

    public async Task ReleaseAsync()
    {
        if (_released)
            return;
        await ChattrAsync("-i", _path);
        _released = true;
    }

    private static async Task ChattrAsync(string flag, string path)
    {
        var info = new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true, UseShellExecute = false };
        using var chattr = Process.Start(info) ?? throw new InvalidOperationException("chattr did not start; install e2fsprogs.");
        var error = await chattr.StandardError.ReadToEndAsync();
        await chattr.WaitForExitAsync();
        Assert.True(chattr.ExitCode == 0, $"chattr {flag} {path} failed: {error}");
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync();
}
