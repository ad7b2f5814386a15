using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vespa.Testing;
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
    public void Body_FloatsAsJsonFloats_IntegersAsIntegers()
    {
        var text = System.Text.Encoding.UTF8.GetString(LaunchFailureBeacon.Body(new Dictionary<string, string> { ["CONTAINER_ID"] = "77" }, "x"));

        Assert.Equal(
            """{"id":77,"mtoken":"","version":"1.1.0","loadtime":0.0,"cur_load":0.0,"rej_load":0.0,"new_load":0.0,"error_msg":"x","max_perf":0.0,"cur_perf":0.0,"cur_capacity":0,"max_capacity":0,"num_requests_working":0,"num_requests_recieved":0,"additional_disk_usage":0.0,"working_request_idxs":[],"url":""}""",
            text);
    }

    [Theory]
    [InlineData("PYWORKER_USE_SSL", "yes", "https")]
    [InlineData("USE_SSL", "1", "https")]
    [InlineData("VESPA_USE_SSL", " On ", "https")]
    [InlineData("USE_SSL", "false", "http")]
    public void Body_Url_FollowsTheWorkersUseSslAndPortRules(string name, string value, string scheme)
    {
        var environment = new Dictionary<string, string>
        {
            [name] = value,
            ["PYWORKER_WORKER_PORT"] = "3100",
            ["PUBLIC_IPADDR"] = "203.0.113.7",
            ["VAST_TCP_PORT_3100"] = "41234",
        };

        using var body = JsonDocument.Parse(LaunchFailureBeacon.Body(environment, "x"));

        Assert.Equal($"{scheme}://203.0.113.7:41234", body.RootElement.GetProperty("url").GetString());
    }

    [Fact]
    public void Addresses_CommaListInOrder_DefaultOnVast()
    {
        Assert.Equal(["http://a", "http://b:1"], LaunchFailureBeacon.Addresses(new Dictionary<string, string> { ["REPORT_ADDR"] = "http://a/, http://b:1" }));
        Assert.Empty(LaunchFailureBeacon.Addresses(new Dictionary<string, string>()));
        Assert.Equal(["https://run.vast.ai"], LaunchFailureBeacon.Addresses(new Dictionary<string, string> { ["CONTAINER_ID"] = "5" }));
    }

    [Fact]
    public async Task PostRound_FailsOverInOrder_StopsAtTheFirstThatAccepts()
    {
        var hits = new ConcurrentQueue<string>();
        await using var failing = await Autoscaler("a", 500, hits);
        await using var accepting = await Autoscaler("b", 200, hits);
        await using var spare = await Autoscaler("c", 200, hits);
        using var http = new HttpClient();
        string[] addresses = [Dead(), Base(failing), Base(accepting), Base(spare)];

        var taker = await LaunchFailureBeacon.PostRoundAsync(http, addresses, "{}"u8.ToArray(), CancellationToken.None).DefaultTimeout();

        Assert.Equal(Base(accepting), taker);
        Assert.Equal(["a", "b"], hits); // the refused connection, then 500, then accepted; "c" never posted to
    }

    private static string Base(LoopbackServer server) => server.BaseUrl.ToString().TrimEnd('/');

    private static string Dead()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        var port = ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return $"http://127.0.0.1:{port}";
    }

    private static Task<LoopbackServer> Autoscaler(string name, int status, ConcurrentQueue<string> hits) =>
        LoopbackServer.StartAsync(app => app.MapPost("/worker_status/", () =>
        {
            hits.Enqueue(name);
            return Results.StatusCode(status);
        }));
}
