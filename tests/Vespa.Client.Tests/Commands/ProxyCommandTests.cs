using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Vespa.Client.Tests.Infrastructure;
using Vespa.Core.Envelopes;
using Vespa.Emulator;
using Vespa.Testing;

namespace Vespa.Client.Tests.Commands;

/// <summary><c>vespa-client proxy</c> in-process, used over HTTP like an SDK would, against the emulator and scripted
/// workers.</summary>
public sealed class ProxyCommandTests : IAsyncLifetime
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
    public async Task Health_AnsweredLocally()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);
        // The start-up check of the given endpoint key is the one route.
        Assert.Equal(1, _emulator.GetAcceptedCount(EmulatorOperation.Route));

        var text = await proxy.Client.GetStringAsync("/health").DefaultTimeout();

        Assert.Equal("""{"status":"healthy","endpoint":"local"}""", text);
        Assert.Equal(0, _worker.Calls);
        Assert.Equal(1, _emulator.GetAcceptedCount(EmulatorOperation.Route));
    }

    [Fact]
    public async Task CtrlC_StopsCleanly_Exit0()
    {
        var proxy = await ProxyHost.StartAsync(_emulator);

        var run = await proxy.StopAsync();
        await proxy.DisposeAsync();

        Assert.Equal(ExitCodes.Success, run.Exit);
        Assert.Contains("listening on http://127.0.0.1:", run.Output, StringComparison.Ordinal);
        Assert.Contains("proxy stopped", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostJson_EnvelopeWithDefaultCost_CallerCredentialsStripped()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions?trace=1")
        {
            Content = new StringContent("""{"model": "m", "messages": []}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sdk-key");
        request.Headers.Add("X-Custom", "kept");

        using var response = await proxy.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_worker.Requests);
        Assert.Equal("/v1/chat/completions", received.Path);
        Assert.Equal("?trace=1", received.QueryString);
        Assert.False(received.Headers.ContainsKey("Authorization"));
        Assert.Equal("kept", received.Headers["X-Custom"]);
        Assert.Equal(_worker.BaseUrl.Authority, received.Headers["Host"]);
        using var envelope = JsonDocument.Parse(received.Body);
        Assert.Equal("""{"model": "m", "messages": []}""", envelope.RootElement.GetProperty("payload").GetRawText());
        Assert.True(AuthData.TryFromJson(envelope.RootElement.GetProperty("auth_data"), out var auth, out _));
        Assert.Equal(1.0, auth!.CostValue);
        Assert.Contains("\"payload\": {\"model\"", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CostHeader_SetsTheCost_AndIsNotForwarded()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/x") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Serverless-Cost", "256");

        using var response = await proxy.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(256, _worker.EnvelopeAuthData().Single().GetProperty("cost").GetDouble());
        Assert.False(_worker.Requests.Single().Headers.ContainsKey("X-Serverless-Cost"));
    }

    [Fact]
    public async Task BadCostHeader_400()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Serverless-Cost", "lots");

        using var response = await proxy.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _worker.Calls);
    }

    [Fact]
    public async Task Get_QueryForm()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var response = await proxy.Client.GetAsync("/v1/models?a=1&a=2").DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_worker.Requests);
        Assert.StartsWith("?serverless_cost=1.0&serverless_endpoint=local&", received.QueryString, StringComparison.Ordinal);
        Assert.EndsWith("&a=1&a=2", received.QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_And_Put_AllMethodsForwarded()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var delete = await proxy.Client.DeleteAsync("/v1/files/7").DefaultTimeout();
        using var put = await proxy.Client.PutAsync("/v1/files/7", new StringContent("{\"x\":1}", Encoding.UTF8, "application/json")).DefaultTimeout();
        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1/files/7")).DefaultTimeout();

        Assert.Equal(["DELETE", "PUT", "HEAD"], _worker.Requests.Select(r => r.Method));
        Assert.Contains("serverless_signature=", _worker.Requests[0].QueryString, StringComparison.Ordinal);
        Assert.Single(_worker.EnvelopeAuthData());
        Assert.Contains("serverless_signature=", _worker.Requests[2].QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BinaryBody_HeaderForm_BytesUnchanged()
    {
        await using var proxy = await ProxyHost.StartAsync(_emulator);
        var bytes = FakeBackend.BinaryPattern(200_000);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");

        using var response = await proxy.Client.PostAsync("/v1/audio", content).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_worker.Requests);
        Assert.Equal(bytes, received.Body);
        Assert.Equal("audio/wav", received.Headers["Content-Type"]);
        Assert.True(received.Headers.ContainsKey("X-Vespa-Auth-Data"));
    }

    [Fact]
    public async Task Streaming_RelayedUnbuffered()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _worker.Enqueue(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: first\n\n");
            await context.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TaskTimeoutExtensions.Timeout);
            await context.Response.WriteAsync("data: second\n\n");
        });
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var response = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/stream") { Content = new StringContent("{}") },
            HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer).AsTask().DefaultTimeout();

        // The first event arrived while the worker is still holding the rest back.
        Assert.Equal("data: first\n\n", Encoding.UTF8.GetString(buffer, 0, read));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        release.SetResult();
        var rest = await new StreamReader(stream).ReadToEndAsync().DefaultTimeout();
        Assert.Equal("data: second\n\n", rest);
    }

    [Fact]
    public async Task Worker503ThenOk_RetriedInvisibly()
    {
        _worker.Enqueue(WorkerResponses.Status(503), WorkerResponses.Status(429));
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var response = await proxy.Client.PostAsync("/v1/x", new StringContent("{}", Encoding.UTF8, "application/json")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _worker.Calls);
        var auth = _worker.EnvelopeAuthData();
        Assert.Single(auth.Select(a => a.GetProperty("request_idx").GetInt64()).Distinct());
    }

    [Fact]
    public async Task Worker503Storm_LastAnswerRelayedAfterRetries()
    {
        _worker.Default = WorkerResponses.Status(503);
        await using var proxy = await ProxyHost.StartAsync(_emulator, "--max-retries", "2");

        using var response = await proxy.Client.PostAsync("/v1/x", new StringContent("{}")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"error": "scripted 503"}""", await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(3, _worker.Calls);
    }

    [Fact]
    public async Task Worker4xx_RelayedAtOnce()
    {
        _worker.Default = WorkerResponses.Status(404);
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var response = await proxy.Client.PostAsync("/v1/x", new StringContent("{}")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(1, _worker.Calls);
    }

    [Fact]
    public async Task NoWorkerReady_504AfterTheTotalTimeout()
    {
        _emulator.UnregisterWorker(_worker.BaseUrl);
        await using var proxy = await ProxyHost.StartAsync(_emulator, "--timeout", "0.3");

        using var response = await proxy.Client.GetAsync("/v1/models").DefaultTimeout();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Contains("no worker became ready", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamBrokenMidway_CallerSeesABrokenStream_NotRetried()
    {
        _worker.Enqueue(WorkerResponses.SseThenAbort("one"));
        await using var proxy = await ProxyHost.StartAsync(_emulator);

        using var response = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/stream") { Content = new StringContent("{}") },
            HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();

        await Assert.ThrowsAnyAsync<IOException>(() => new StreamReader(stream).ReadToEndAsync().DefaultTimeout());
        Assert.Equal(1, _worker.Calls);
    }

    [Fact]
    public async Task FailingWorker_CircuitOpens_ThenCloses()
    {
        await using var failing = await ScriptedWorker.StartAsync();
        failing.Default = WorkerResponses.Status(500);
        _emulator.RegisterWorker(failing.BaseUrl);
        // A break long enough that the first eight requests surely fall inside it, even on a busy machine.
        var breakDuration = TimeSpan.FromSeconds(1.5);
        await using var proxy = await ProxyHost.StartAsync(_emulator, s => Cli.Fast(s) with { BreakerDuration = breakDuration });

        for (var i = 0; i < 8; i++)
        {
            using var response = await proxy.Client.PostAsync("/v1/x", new StringContent("{}")).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Three failures in a row open its circuit: the routes that still name it are re-routed without calling it.
        Assert.Equal(3, failing.Calls);
        Assert.Equal(8, _worker.Calls);

        failing.Default = WorkerResponses.Describe;
        await Task.Delay(breakDuration + TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < 4; i++)
        {
            using var response = await proxy.Client.PostAsync("/v1/x", new StringContent("{}")).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The break is over: a probe went through, succeeded, and the worker takes its share again.
        Assert.True(failing.Calls >= 5, $"the recovered worker got {failing.Calls - 3} calls");
    }

    [Fact]
    public async Task MaxConnections_LimitsWorkerRequestsInFlight()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _worker.Enqueue(async context =>
        {
            await release.Task.WaitAsync(TaskTimeoutExtensions.Timeout);
            await WorkerResponses.Describe(context);
        });
        await using var proxy = await ProxyHost.StartAsync(_emulator, "--max-connections", "1");

        var first = proxy.Client.GetAsync("/v1/one");
        await TaskTimeoutExtensions.WaitUntilAsync(() => _worker.Calls == 1, "the first request at the worker");
        var second = proxy.Client.GetAsync("/v1/two");
        await Task.Delay(200);

        // The second waits for the first's connection slot.
        Assert.Equal(1, _worker.Calls);
        release.SetResult();
        using var one = await first.DefaultTimeout();
        using var two = await second.DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(2, _worker.Calls);
    }
}
