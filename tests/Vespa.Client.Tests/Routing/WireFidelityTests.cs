using System.Text;
using System.Text.RegularExpressions;
using Vespa.Client.Tests.Infrastructure;

namespace Vespa.Client.Tests.Routing;

/// <summary>
/// Issue 11 item 8: the requests the client sends to the autoscaler and the console are the SDK's (vast-cli
/// <c>vastai/serverless/client/endpoint.py</c> <c>_route</c>, <c>client.py</c> <c>get_endpoints</c>,
/// <c>connection.py</c> <c>_make_request</c>): the key as a Bearer token and again as <c>api_key</c> in the query (and,
/// for <c>/route/</c>, in the body), with a User-Agent naming vespa-client and its version. Checked byte for byte at a
/// recording loopback server.
/// </summary>
public sealed class WireFidelityTests : IAsyncLifetime
{
    private RecordingControlPlane _plane = null!;
    private ScriptedWorker _worker = null!;

    private static string UserAgent => "vespa-client/" + ClientVersion.Version;

    public async Task InitializeAsync()
    {
        _worker = await ScriptedWorker.StartAsync();
        _plane = await RecordingControlPlane.StartAsync();
        _plane.Worker = _worker.BaseUrl;
    }

    public async Task DisposeAsync()
    {
        await _plane.DisposeAsync();
        await _worker.DisposeAsync();
    }

    [Fact]
    public void UserAgent_NamesVespaClientAndItsVersion()
    {
        Assert.Matches(new Regex(@"^vespa-client/\d+\.\d+\.\d+$"), ClientVersion.UserAgent);
    }

    [Fact]
    public async Task Route_KeyInHeaderQueryAndBody_SdkBodyFields_UserAgent()
    {
        var run = await Cli.RunAsync("call", "POST", "/v1/x", "--data", "{}", "--cost", "42",
            "--autoscaler-url", _plane.Url, "--endpoint", "local", "--endpoint-key", "local-endpoint-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        var route = Assert.Single(_plane.Routes);
        Assert.Equal("POST", route.Method);
        Assert.Equal("?api_key=local-endpoint-key", route.QueryString);
        Assert.Equal("Bearer local-endpoint-key", route.Headers["Authorization"]);
        Assert.Equal(UserAgent, route.Headers["User-Agent"]);
        Assert.Equal("application/json", route.Headers["Content-Type"]);
        Assert.Equal("""{"endpoint":"local","api_key":"local-endpoint-key","cost":42,"request_idx":0,"replay_timeout":60.0}""", Encoding.UTF8.GetString(route.Body));
    }

    [Fact]
    public async Task Route_Retry_SendsTheAssignedRequestIdx()
    {
        _worker.Enqueue(WorkerResponses.Status(503));

        var run = await Cli.RunAsync("call", "POST", "/v1/x", "--data", "{}", "--cost", "2.5",
            "--autoscaler-url", _plane.Url, "--endpoint", "local", "--endpoint-key", "local-endpoint-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(
            [
                """{"endpoint":"local","api_key":"local-endpoint-key","cost":2.5,"request_idx":0,"replay_timeout":60.0}""",
                """{"endpoint":"local","api_key":"local-endpoint-key","cost":2.5,"request_idx":41,"replay_timeout":60.0}""",
            ],
            _plane.Routes.Select(r => Encoding.UTF8.GetString(r.Body)));
    }

    [Fact]
    public async Task ConsoleListing_KeyInHeaderAndQuery_ClientIdMe_UserAgent()
    {
        var run = await Cli.RunAsync("key", "-e", "local", "--console-url", _plane.Url, "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("local-endpoint-key\n", run.Output);
        var listing = Assert.Single(_plane.Requests);
        Assert.Equal("GET", listing.Method);
        Assert.Equal("/api/v0/endptjobs/", listing.Path);
        Assert.Equal("?client_id=me&api_key=local-account-key&autoscaler_instance=prod", listing.QueryString);
        Assert.Equal("Bearer local-account-key", listing.Headers["Authorization"]);
        Assert.Equal(UserAgent, listing.Headers["User-Agent"]);
        Assert.Empty(listing.Body);
    }

    [Fact]
    public async Task KeyLookupForACall_SameConsoleRequest_ThenTheRoute()
    {
        var run = await Cli.RunAsync("call", "GET", "/v1/models", "--autoscaler-url", _plane.Url, "--console-url", _plane.Url,
            "-e", "local", "--account-key", "local-account-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(["/api/v0/endptjobs/", "/route/"], _plane.Requests.Select(r => r.Path));
        Assert.Equal("?client_id=me&api_key=local-account-key&autoscaler_instance=prod", _plane.Requests[0].QueryString);
        Assert.Equal(UserAgent, _plane.Requests[0].Headers["User-Agent"]);
        Assert.Equal("Bearer local-endpoint-key", _plane.Requests[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task WorkerCall_UserAgentNamesVespaClient_NoKeys()
    {
        var run = await Cli.RunAsync("call", "POST", "/v1/x", "--data", "{}", "--autoscaler-url", _plane.Url, "--endpoint", "local", "--endpoint-key", "local-endpoint-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        var request = Assert.Single(_worker.Requests);
        Assert.Equal(UserAgent, request.Headers["User-Agent"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.DoesNotContain("api_key", request.QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerCall_CallersUserAgentWins()
    {
        var run = await Cli.RunAsync("call", "GET", "/v1/x", "-H", "User-Agent: my-tool/2", "--autoscaler-url", _plane.Url, "--endpoint", "local", "--endpoint-key", "local-endpoint-key");

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("my-tool/2", Assert.Single(_worker.Requests).Headers["User-Agent"]);
    }
}
