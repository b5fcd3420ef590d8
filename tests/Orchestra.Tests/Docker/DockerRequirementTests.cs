using System.Net.Sockets;
using Orchestra.Testing.Docker;

namespace Orchestra.Tests.Docker;

public sealed class DockerRequirementTests
{
    [Fact]
    public async Task A_missing_socket_is_a_problem_that_names_it()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"no-engine-{Guid.NewGuid():N}.sock");
        using var engine = new DockerEngine($"unix://{socket}");

        var problem = await DockerRequirement.ProblemAsync(engine, [TestImages.Redis]);

        Assert.Equal($"No Docker engine answers at unix://{socket}: no such socket.", problem);
    }

    [Fact]
    public async Task A_socket_where_nothing_listens_is_a_problem_that_names_it()
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("dead.sock");
        // Bound but not listening: the socket file is there and refuses connections, as a dead engine's does.
        using var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        dead.Bind(new UnixDomainSocketEndPoint(path));
        using var engine = new DockerEngine($"unix://{path}");

        var problem = await DockerRequirement.ProblemAsync(engine, []);

        Assert.Equal($"No Docker engine answers at unix://{path}: Connection refused.", problem);
    }

    [Fact]
    public void An_address_that_is_neither_unix_nor_tcp_is_refused_naming_it()
    {
        var refused = Assert.Throws<ArgumentException>(() => new DockerEngine("ssh://build@host"));
        Assert.Equal("DOCKER_HOST must be a unix:// or tcp:// address, got 'ssh://build@host'.", refused.Message);
    }

    [Fact]
    public void A_problem_skips_the_test_unless_Docker_is_required_then_it_fails_it()
    {
        const string problem = "No Docker engine answers at unix:///nowhere.sock: Connection refused.";

        var skip = Assert.IsType<SkipException>(DockerRequirement.Outcome(problem, _ => null));
        Assert.Equal(problem, skip.Message);
        var failure = Assert.IsType<DockerRequiredException>(
            DockerRequirement.Outcome(problem, name => name == DockerRequirement.RequireVariable ? "1" : null));
        Assert.StartsWith(problem, failure.Message);
        Assert.Contains("ORCHESTRA_REQUIRE_DOCKER=1", failure.Message);
    }

    [SkippableFact]
    public async Task A_missing_test_image_is_a_problem_that_names_the_build_script()
    {
        await DockerRequirement.EnsureAsync(TestImages.Redis);
        using var engine = DockerEngine.FromEnvironment();

        var problem = await DockerRequirement.ProblemAsync(engine, [TestImages.Redis, "orchestra-test/never-built:0"]);

        Assert.Equal("Missing test images (orchestra-test/never-built:0): build them with tests/images/build.sh.", problem);
    }
}
