namespace Orchestra.Runtime.Watch;

/// <summary>One directory a <see cref="ChangeWatcher"/> puts a FileSystemWatcher on.</summary>
internal readonly record struct WatchRoot(string Directory, bool Recursive);
