using System.Text.Json;
using Vespa.Worker.Reporting;

namespace Vespa.Worker.Tests.Unit;

public sealed class LaunchFailureBeaconTests
{
    [Fact]
    public void Body_FullWorkerStatusWithTheEscapedError()
    {
        var environment = new Dictionary<string, string>
        {
            ["CONTAINER_ID"] = "77",
            ["MASTER_TOKEN"] = "t",
            ["PUBLIC_IPADDR"] = "203.0.113.7",
            ["VAST_TCP_PORT_3000"] = "41234",
        };

        using var body = JsonDocument.Parse(LaunchFailureBeacon.Body(environment, "bad \"value\"\nline 2"));
        var root = body.RootElement;

        Assert.Equal(77, root.GetProperty("id").GetInt64());
        Assert.Equal("1.1.0", root.GetProperty("version").GetString());
        Assert.Equal("bad \"value\"\nline 2", root.GetProperty("error_msg").GetString());
        Assert.Equal("http://203.0.113.7:41234", root.GetProperty("url").GetString());
        Assert.Equal(0, root.GetProperty("num_requests_recieved").GetInt32());
        Assert.Equal(17, root.EnumerateObject().Count());
    }

    [Fact]
    public void Addresses_CommaListInOrder()
    {
        Assert.Equal(["http://a", "http://b:1"], LaunchFailureBeacon.Addresses(new Dictionary<string, string> { ["REPORT_ADDR"] = "http://a/, http://b:1" }));
        Assert.Empty(LaunchFailureBeacon.Addresses(new Dictionary<string, string>()));
    }
}
