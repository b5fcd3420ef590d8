using System.Net;
using System.Net.Sockets;
using Orchestra.Configuration;
using Orchestra.State;

namespace Orchestra.Tests.State;

/// <summary>The host ports of vendor ports written without one: chosen once, remembered, never moved.</summary>
public sealed class VendorPortAssignmentsTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private VendorPortAssignments Assignments => new(_workspace.StateDirectory);

    private string FilePath => Path.Combine(_workspace.StateDirectory, VendorPortAssignments.FileName);

    private VendorConfig Vendor(string name, params VendorPort[] ports) =>
        new() { Name = name, Location = new SourceLocation(_workspace.ConfigPath, 1, 1), Image = "x", Ports = ports };

    [Fact]
    public void A_fixed_port_is_kept_and_another_gets_a_free_loopback_port_that_later_assignments_give_again()
    {
        var postgres = Vendor("postgres", new VendorPort(5432, null), new VendorPort(5433, 15433));
        var redis = Vendor("redis", new VendorPort(6379, null));

        var first = Assignments.Assign([postgres, redis]);
        var second = Assignments.Assign([redis, postgres]);

        var chosen = first.HostPort("postgres", 5432)!.Value;
        Assert.Equal([new VendorPortBinding(5432, chosen), new VendorPortBinding(5433, 15433)], first.Of("postgres"));
        Assert.NotEqual(chosen, first.HostPort("redis", 6379));
        Assert.Equal(first.Of("postgres"), second.Of("postgres"));
        Assert.Equal(first.Of("redis"), second.Of("redis"));
        if (OperatingSystem.IsLinux())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(FilePath));
    }

    [Fact]
    public void A_remembered_port_that_another_process_holds_now_is_kept()
    {
        var postgres = Vendor("postgres", new VendorPort(5432, null));
        var port = Assignments.Assign([postgres]).HostPort("postgres", 5432)!.Value;
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();

        var again = Assignments.Assign([postgres]);

        Assert.Equal(port, again.HostPort("postgres", 5432));
    }

    [Fact]
    public void Find_and_Known_read_without_choosing_or_writing()
    {
        var postgres = Vendor("postgres", new VendorPort(5432, null), new VendorPort(5433, 15433));

        Assert.Null(Assignments.Find(postgres, 5432));
        Assert.Equal(15433, Assignments.Find(postgres, 5433));
        Assert.Equal([new VendorPortBinding(5433, 15433)], Assignments.Known([postgres]).Of("postgres"));
        Assert.False(Directory.Exists(_workspace.StateDirectory), "reading created the state folder");

        var assigned = Assignments.Assign([postgres]).HostPort("postgres", 5432);

        Assert.Equal(assigned, Assignments.Find(postgres, 5432));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"vendors\": null}")]
    [InlineData("{\"vendors\": {\"postgres\": {\"5432\": 0}}}")]
    [InlineData("{\"vendors\": {\"postgres\": {\"5432\": \"many\"}}}")]
    [InlineData("[1, 2]")]
    public void A_corrupt_file_counts_as_empty_and_is_rewritten(string content)
    {
        var postgres = Vendor("postgres", new VendorPort(5432, null));
        StateFolder.Create(_workspace.StateDirectory);
        StateFolder.WriteText(FilePath, content);

        Assert.Null(Assignments.Find(postgres, 5432));
        var port = Assignments.Assign([postgres]).HostPort("postgres", 5432);

        Assert.NotNull(port);
        Assert.NotEqual(content, File.ReadAllText(FilePath));
        Assert.Equal(port, Assignments.Find(postgres, 5432));
    }

    [Fact]
    public void Without_vendors_the_file_is_neither_read_nor_written()
    {
        // Every replica's spec asks for the vendors' ports; a workspace without vendors must not pay a read for each.
        StateFolder.Create(_workspace.StateDirectory);
        StateFolder.WriteText(FilePath, "{ not json");

        Assert.Empty(Assignments.Known([]).Of("postgres"));
        Assert.Empty(Assignments.Assign([]).Of("postgres"));

        // A corrupt file is rewritten when it is read (above); this one was left as it was.
        Assert.Equal("{ not json", File.ReadAllText(FilePath));
    }

    [Fact]
    public void A_remembered_port_that_a_vendor_now_fixes_for_itself_is_chosen_again()
    {
        var port = Assignments.Assign([Vendor("postgres", new VendorPort(5432, null))]).HostPort("postgres", 5432)!.Value;
        // orchestra.yml edited: redis now fixes the port postgres had been given.
        var vendors = new[] { Vendor("postgres", new VendorPort(5432, null)), Vendor("redis", new VendorPort(6379, port)) };

        var table = Assignments.Assign(vendors);

        Assert.Equal(port, table.HostPort("redis", 6379));
        Assert.NotEqual(port, table.HostPort("postgres", 5432));
        Assert.Equal(table.HostPort("postgres", 5432), Assignments.Find(vendors[0], 5432));
    }

    [Fact]
    public void A_vendor_left_out_of_an_assignment_keeps_its_port()
    {
        var postgres = Vendor("postgres", new VendorPort(5432, null));
        var port = Assignments.Assign([postgres]).HostPort("postgres", 5432);

        Assignments.Assign([Vendor("redis", new VendorPort(6379, null))]);

        Assert.Equal(port, Assignments.Find(postgres, 5432));
    }
}
