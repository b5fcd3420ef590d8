using Orchestra.Errors;
using System.Runtime.Versioning;
using System.Text;

namespace Orchestra.State;

/// <summary>
/// The workspace's <c>.orchestra/</c> folder, and the only way Orchestra reads or writes it. What is inside decides
/// which commands run and which processes are signalled, so nothing in it is trusted unless the user running
/// Orchestra could alone have written it:
/// <list type="bullet">
/// <item>the folder, and every folder and file read from it, must be owned by that user and not writable by the group or others;</item>
/// <item>a symbolic link named <c>.orchestra</c> is followed only when the link itself is the user's; the folder it points to is checked like any other;</item>
/// <item>the folder is created 0700 and every file 0600, written to a new temporary file (never through an existing
/// name, so a planted link redirects nothing) and renamed into place;</item>
/// <item>files are checked on the handle that reads them, so a file swapped in after a check is still refused.</item>
/// </list>
/// Ownership is checked on Linux; elsewhere the folder is only created.
/// </summary>
public static class StateFolder
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder when missing (with a <c>.gitignore</c> of <c>*</c>, so state never reaches a commit), and checks it.</summary>
    /// <exception cref="StateFolderException">It cannot be created, or it is not safe to use.</exception>
    public static void Create(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(path);
            else if (FileOwnership.OfPath(path) is null)
                Directory.CreateDirectory(path, FolderMode);
            Verify(path);
            Tighten(path);
            var gitignore = Path.Combine(path, ".gitignore");
            if (!File.Exists(gitignore))
                WriteText(gitignore, "*\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = File.Exists(path) ? "a file has that name"
                : e is UnauthorizedAccessException ? "permission denied"
                : e.Message.TrimEnd('.');
            throw new StateFolderException($"Orchestra cannot use its state folder {path} ({why}).");
        }
    }

    /// <summary>
    /// Checks the folder when there is one; no folder (nothing, or a file) is no state to commands that only read,
    /// and commands that write report it.
    /// </summary>
    /// <exception cref="StateFolderException">It exists but is not safe to use.</exception>
    public static void CheckExisting(string path)
    {
        if (Directory.Exists(path))
            Verify(path);
    }

    /// <summary>A folder inside the state folder, created 0700 when missing and checked like the state folder itself.</summary>
    public static string EnsureSubfolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return path;
        }
        if (FileOwnership.OfPath(path) is null)
            Directory.CreateDirectory(path, FolderMode);
        if (OperatingSystem.IsLinux())
            RequireOwned(path, FileOwnership.OfPath(path), "folder");
        return path;
    }

    /// <summary>The text of a file inside a state folder, or null when it does not exist.</summary>
    /// <exception cref="StateFolderException">The file is not the user's alone.</exception>
    public static string? ReadText(string path)
    {
        // Most of these files are optional and mostly absent: told without a thrown and caught exception. The catch
        // below is for one removed between the two looks.
        if (!File.Exists(path))
            return null;
        try
        {
            using var stream = OpenRead(path);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A file inside a state folder, opened for reading once it is known to be the user's alone.</summary>
    /// <exception cref="StateFolderException">The file is not the user's alone.</exception>
    public static FileStream OpenRead(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                RequireOwned(path, FileOwnership.OfHandle(stream.SafeFileHandle), "file");
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
        return stream;
    }

    /// <summary>Replaces a file inside a state folder with <paramref name="text"/>: a reader sees the old file or the new one, never half of one.</summary>
    public static void WriteText(string path, string text)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateFile;
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
                writer.Write(text);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void Verify(string path)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var entry = FileOwnership.OfPath(path);
        if (entry is { IsSymbolicLink: true } link)
        {
            if (link.Owner != CurrentUser.Id)
                throw Untrusted(path, $"is a symbolic link that belongs to {UserName(link.Owner)}, not to you; remove it");
            entry = FileOwnership.OfPath(path, followLinks: true);
            if (entry is null)
                throw new StateFolderException($"Orchestra cannot use its state folder {path}: it is a symbolic link to nothing; remove it.");
        }
        if (entry is { IsDirectory: false })
            throw new StateFolderException($"Orchestra cannot use its state folder {path} (a file has that name).");
        RequireOwned(path, entry, "state folder");
    }

    /// <summary>An older Orchestra made the folder 0755: what it holds (environments, logs) is narrowed to the owner. Bits are only removed.</summary>
    private static void Tighten(string path)
    {
        if (OperatingSystem.IsLinux() && FileOwnership.OfPath(path, followLinks: true) is { } folder && (folder.Mode & ~FolderMode) != 0)
            File.SetUnixFileMode(path, folder.Mode & FolderMode);
    }

    [SupportedOSPlatform("linux")]
    private static void RequireOwned(string path, FileOwnership? ownership, string what)
    {
        if (ownership is not { } found)
            return;
        if (found.Owner != CurrentUser.Id)
            throw Untrusted(path, $"belongs to {UserName(found.Owner)}, not to you ({UserName(CurrentUser.Id)}), so anyone could have put commands in it; remove it, or run Orchestra as its owner", what);
        if (found.WritableByOthers)
            throw Untrusted(path, $"can be written by other users (mode {Convert.ToString((int)found.Mode, 8)}), so anyone could have put commands in it; run 'chmod go-w {path}', or remove it", what);
    }

    private static StateFolderException Untrusted(string path, string why, string what = "state folder") =>
        new($"Orchestra will not use the {what} {path}: it {why}.");

    /// <summary>The user's name from /etc/passwd, else the uid.</summary>
    private static string UserName(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && fields[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    return fields[0];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the name is lost.
        }
        return $"uid {uid}";
    }
}

/// <summary>The workspace's <c>.orchestra/</c> folder cannot be created, or it is not safe to use.</summary>
public sealed class StateFolderException(string message) : OrchestraException(message, FailureKind.Failure);
