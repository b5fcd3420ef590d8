namespace Orchestra.Testing.Docker;

/// <summary>
/// The images the tests run, built on this machine by <see cref="BuildScript"/> (no registry is reachable): the tags
/// are the script's, which names the versions Debian ships.
/// </summary>
public static class TestImages
{
    public const string BuildScript = "tests/images/build.sh";

    /// <summary>redis-server on 0.0.0.0:6379, protected mode off, no persistence; <c>redis-cli</c> and <c>/bin/sh</c> inside.</summary>
    public const string Redis = "orchestra-test/redis:7";

    /// <summary>
    /// As the official image: initdb into an empty <c>PGDATA</c> on the first start, <c>POSTGRES_PASSWORD</c> for
    /// connections over TCP (user postgres), postgres running as uid 999, stop signal SIGINT; <c>pg_isready</c> and
    /// <c>psql</c> inside.
    /// </summary>
    public const string Postgres = "orchestra-test/postgres:15";

    /// <summary>The installed .NET runtime under /usr/share/dotnet, workdir /app, globalization-invariant.</summary>
    public const string DotnetRuntime = "orchestra-test/dotnet-runtime:10.0";

    /// <summary><see cref="DotnetRuntime"/> with ASP.NET Core, listening on 8080 unless ASPNETCORE_URLS says otherwise.</summary>
    public const string AspNet = "orchestra-test/aspnet:10.0";
}
