using Vespa.Client.Tests.Infrastructure;

namespace Vespa.Client.Tests.Commands;

/// <summary>
/// Issue 11 item 9: <c>VAST_API_KEY</c> is the account key, as in the vast.ai CLI and SDK; the endpoint key comes
/// from <c>--endpoint-key</c> / <c>VAST_ENDPOINT_KEY</c> or is looked up with the account key. The old flag
/// <c>--api-key</c> still means the endpoint key, with a warning; a <c>VAST_API_KEY</c> still holding an endpoint key is
/// refused by the console with a note on what changed.
/// </summary>
public sealed class KeySourceTests : IAsyncLifetime
{
    private RecordingControlPlane _plane = null!;
    private ScriptedWorker _worker = null!;

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

    private string[] Call(params string[] extra) =>
        ["call", "GET", "/v1/models", "-e", "local", "--autoscaler-url", _plane.Url, "--console-url", _plane.Url, .. extra];

    [Fact]
    public async Task VastApiKey_IsTheAccountKey_EndpointKeyLookedUpWithIt()
    {
        var services = Cli.Services(Cli.Environment(("VAST_API_KEY", "local-account-key")));

        var run = await Cli.RunAsync(services, Call());

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal(["/api/v0/endptjobs/", "/route/"], _plane.Requests.Select(r => r.Path));
        Assert.Equal("Bearer local-account-key", _plane.Requests[0].Headers["Authorization"]);
        Assert.Equal("Bearer local-endpoint-key", _plane.Requests[1].Headers["Authorization"]);
        Assert.Equal(1, _worker.Calls);
    }

    [Fact]
    public async Task VastEndpointKey_IsTheEndpointKey_NoLookup()
    {
        var services = Cli.Services(Cli.Environment(("VAST_ENDPOINT_KEY", "local-endpoint-key"), ("VAST_API_KEY", "local-account-key")));

        var run = await Cli.RunAsync(services, Call());

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("/route/", Assert.Single(_plane.Requests).Path);
        Assert.Equal("Bearer local-endpoint-key", _plane.Requests[0].Headers["Authorization"]);
    }

    [Fact]
    public async Task EndpointKeyFlag_WinsOverTheVariable()
    {
        var services = Cli.Services(Cli.Environment(("VAST_ENDPOINT_KEY", "stale")));

        var run = await Cli.RunAsync(services, Call("--endpoint-key", "local-endpoint-key"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("Bearer local-endpoint-key", Assert.Single(_plane.Requests).Headers["Authorization"]);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task DeprecatedApiKeyFlag_StillTheEndpointKey_WithAWarning()
    {
        var run = await Cli.RunAsync(Call("--api-key", "local-endpoint-key"));

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("Bearer local-endpoint-key", Assert.Single(_plane.Requests).Headers["Authorization"]);
        Assert.Equal(
            "vespa-client call: warning: --api-key is deprecated: here it was the endpoint key, while in the vast.ai CLI it is the account key; use --endpoint-key (or --account-key for the account key).\n",
            run.Error);
    }

    [Fact]
    public async Task VastApiKeyHoldingAnEndpointKey_ConsoleRefuses_Exit3_SaysWhatChanged()
    {
        var services = Cli.Services(Cli.Environment(("VAST_API_KEY", "local-endpoint-key")));

        var run = await Cli.RunAsync(services, Call());

        Assert.Equal(ExitCodes.Auth, run.Exit);
        Assert.Equal(
            "vespa-client call: the console answered 401: bad account key (check the account key: --account-key, VAST_API_KEY, VAST_ACCOUNT_KEY, ~/.vast_api_key); "
            + "note: VAST_API_KEY is the account key (as in the vast.ai CLI and SDK), an endpoint key goes in VAST_ENDPOINT_KEY or --endpoint-key\n",
            run.Error);
        Assert.Empty(_plane.Routes);
    }

    [Fact]
    public async Task VastAccountKey_StillReadAfterVastApiKey()
    {
        var services = Cli.Services(Cli.Environment(("VAST_ACCOUNT_KEY", "local-account-key")));

        var run = await Cli.RunAsync(services, Call());

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("Bearer local-account-key", _plane.Requests[0].Headers["Authorization"]);
    }

    [Fact]
    public async Task VastCliKeyFile_IsAnAccountKeySource()
    {
        var home = Cli.TempDirectory();
        Directory.CreateDirectory(Path.Combine(home, ".config", "vastai"));
        await File.WriteAllTextAsync(Path.Combine(home, ".config", "vastai", "vast_api_key"), "local-account-key\n");

        var run = await Cli.RunAsync(Cli.Services(Cli.Environment(home)), "endpoints", "--console-url", _plane.Url);

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Equal("Bearer local-account-key", Assert.Single(_plane.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task NoKeys_Exit3_NamesTheNewSources()
    {
        var run = await Cli.RunAsync(Call());

        Assert.Equal(ExitCodes.Auth, run.Exit);
        Assert.Equal(
            "vespa-client call: no endpoint key for 'local': pass --endpoint-key or set VAST_ENDPOINT_KEY, or give the account key to look it up (--account-key, VAST_API_KEY, ~/.vast_api_key).\n",
            run.Error);
    }

    [Fact]
    public async Task Endpoints_NoAccountKey_Exit3_NamesVastApiKey()
    {
        var run = await Cli.RunAsync("endpoints", "--console-url", _plane.Url);

        Assert.Equal(ExitCodes.Auth, run.Exit);
        Assert.Equal("vespa-client endpoints: no account key: pass --account-key, set VAST_API_KEY, or write it to ~/.vast_api_key.\n", run.Error);
    }
}
