using System.ClientModel;
using System.Net;
using System.Text;
using OpenAI;
using OpenAI.Chat;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary>
/// Issue 11 item 14: the proxy's deep health check (<c>/health?deep=1</c> routes and probes the worker), the endpoint
/// key checked at start (exit 3) and refused later as 401 <c>authentication_error</c>, errors in OpenAI's shape, and a
/// stream the worker broke logged as broken rather than as a plain 200.
/// </summary>
public sealed class ProxyHealthAndErrorTests : IAsyncLifetime
{
    private AutoscalerEmulator _emulator = null!;
    private ScriptedWorker _worker = null!;

    public async Task InitializeAsync()
    {
        _worker = await ScriptedWorker.StartAsync();
        _emulator = await EmulatorTestKit.StartAsync(o => o.Workers.Add(_worker.BaseUrl));
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _worker.DisposeAsync();
    }

    [Fact]
    public async Task DeepHealth_WorkerUp_200_NamesTheWorker_ProbedWithSignedGet()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var response = await proxy.Client.GetAsync("/health?deep=1").DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($$"""{"status":"healthy","endpoint":"local","worker":"{{_worker.Url}}","worker_status":200}""", await response.Content.ReadAsStringAsync().DefaultTimeout());
        var probe = Assert.Single(_worker.Requests);
        Assert.Equal("GET", probe.Method);
        Assert.Equal("/health", probe.Path);
        Assert.Contains("serverless_signature=", probe.QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeepHealth_WorkerDown_503_WorkerUnreachable()
    {
        var dead = DeadPort.Url();
        _emulator.UnregisterWorker(_worker.BaseUrl);
        _emulator.RegisterWorker(dead);
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var response = await proxy.Client.GetAsync("/health?deep=1").DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var url = dead.GetLeftPart(UriPartial.Authority);
        Assert.Equal(
            $$$"""{"status":"unhealthy","endpoint":"local","worker":"{{{url}}}","error":{"message":"worker {{{url}}} failed: Connection refused ({{{dead.Host}}}:{{{dead.Port}}})","type":"server_error","code":"worker_unreachable"}}""",
            await response.Content.ReadAsStringAsync().DefaultTimeout());
        // The shallow check still only says the proxy is up.
        Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync("/health").DefaultTimeout()).StatusCode);
    }

    [Fact]
    public async Task DeepHealth_NoWorkerReady_503_NoCapacity()
    {
        _emulator.UnregisterWorker(_worker.BaseUrl);
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var response = await proxy.Client.GetAsync("/health?deep=1").DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.StartsWith("""{"status":"unhealthy","endpoint":"local","error":{"message":"waiting for a worker""", text, StringComparison.Ordinal);
        Assert.EndsWith(""","type":"server_error","code":"no_capacity"}}""", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKeyAtStart_Exit3_NeverListens()
    {
        var run = await Cli.RunAsync("proxy", "--port", "0", "--autoscaler-url", _emulator.BaseUrl.OriginalString, "--endpoint", "local", "--endpoint-key", "wrong");

        Assert.Equal(ExitCodes.Auth, run.Exit);
        Assert.Equal(
            "vespa-client proxy: the endpoint key for 'local' was refused: the autoscaler answered 401: invalid API key for endpoint 'local' "
            + "(check the endpoint key: --endpoint-key, VAST_ENDPOINT_KEY, or the account key it is looked up with)\n",
            run.Error);
        Assert.DoesNotContain("listening", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEndpointAtStart_Exit6()
    {
        var run = await Cli.RunAsync("proxy", "--port", "0", "--autoscaler-url", _emulator.BaseUrl.OriginalString, "--endpoint", "nope", "--endpoint-key", "k");

        Assert.Equal(ExitCodes.HttpError, run.Exit);
        Assert.Equal("vespa-client proxy: the autoscaler refused endpoint 'nope': the autoscaler answered 404: endpoint 'nope' not found\n", run.Error);
    }

    [Fact]
    public async Task KeyRefusedWhileRunning_401AuthenticationError_OpenAiSdkRaises()
    {
        // The console hands out a key the autoscaler no longer takes (rotated): no start-up check for a looked-up key.
        await using var plane = await RecordingControlPlane.StartAsync();
        plane.Worker = _worker.BaseUrl;
        plane.ListedEndpointKey = "rotated-away";
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var proxyRun = Cli.RunAsync(Cli.Services(proxyStarted: url => started.TrySetResult(url)), null, false, stop.Token,
            "proxy", "--port", "0", "-e", "local", "--account-key", "local-account-key", "--autoscaler-url", plane.Url, "--console-url", plane.Url);
        var baseUrl = await started.Task.DefaultTimeout();
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TaskTimeoutExtensions.Timeout };

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent("{}", Encoding.UTF8, "application/json")).DefaultTimeout();
        var chat = new OpenAIClient(new ApiKeyCredential("ignored"), new OpenAIClientOptions { Endpoint = new Uri(baseUrl, "/v1") }).GetChatClient("m");
        var sdkError = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")])).DefaultTimeout();
        await stop.CancelAsync();
        await proxyRun.DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            """{"error":{"message":"the autoscaler answered 401: invalid api key (check the endpoint key: --endpoint-key, VAST_ENDPOINT_KEY, or the account key it is looked up with)","type":"authentication_error","code":"invalid_api_key"}}""",
            await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(401, sdkError.Status);
        Assert.Contains("invalid_api_key", sdkError.Message, StringComparison.Ordinal);
        Assert.Equal(0, _worker.Calls);
    }

    [Fact]
    public async Task BadCostHeader_400_OpenAiErrorShape()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Serverless-Cost", "lots");

        using var response = await proxy.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"error":{"message":"X-Serverless-Cost must be a number above 0, not 'lots'","type":"invalid_request_error","code":"invalid_cost"}}""",
            await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task NoWorkerReady_504_OpenAiErrorShape()
    {
        _emulator.UnregisterWorker(_worker.BaseUrl);
        await using var proxy = await ProxyHost.StartAsync(_emulator, "--timeout", "0.3");

        using var response = await proxy.Client.GetAsync("/v1/models").DefaultTimeout();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.StartsWith("""{"error":{"message":"no worker became ready within the 0.3s total timeout""", text, StringComparison.Ordinal);
        Assert.EndsWith(""","type":"server_error","code":"timeout"}}""", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamBrokenMidway_LoggedAsBroken()
    {
        _worker.Enqueue(WorkerResponses.SseThenAbort("one"));
        var proxy = await ProxyHost.StartAsync(_emulator);

        // The caller sees the break while reading, or already at the headers when the reset overtakes them.
        var broke = await Record.ExceptionAsync(async () =>
        {
            using var response = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/stream") { Content = new StringContent("{}") },
                HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
            var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();
            await new StreamReader(stream).ReadToEndAsync().DefaultTimeout();
        });
        Assert.True(broke is IOException or HttpRequestException, broke?.ToString() ?? "the stream ended normally");

        var run = await proxy.StopAsync();
        await proxy.DisposeAsync();

        var line = Assert.Single(run.Error.Split('\n'), l => l.Contains("POST /v1/stream", StringComparison.Ordinal));
        Assert.Contains($"POST /v1/stream -> 200 broken via {_worker.Url} (1 attempt(s), ", line, StringComparison.Ordinal);
        Assert.EndsWith("s): the worker broke the answer after it had started", line, StringComparison.Ordinal);
    }
}
