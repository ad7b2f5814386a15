using System.Net;
using System.Text.Json;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Backend failures become clear worker errors; client disconnects cancel the backend.</summary>
public sealed class BackendFailureTests
{
    [Fact]
    public async Task BackendGoneAfterReady_502Json()
    {
        var backend = await FakeBackend.StartAsync();
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl);
        await backend.DisposeAsync();

        using var response = await worker.Client.GetAsync("/v1/models").DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Contains("backend", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackendSilentLongerThanIdleTimeout_504Json()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_IDLE_TIMEOUT", "0.3"));

        using var response = await worker.Client.GetAsync("/slow?ms=5000").DefaultTimeout();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("idle timeout", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowStreamWithinIdleTimeout_NotCut()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_IDLE_TIMEOUT", "4"));

        // 11 chunks 500 ms apart: 5 s in total, longer than the idle timeout, but never idle for long
        // (3.5 s of slack per gap: CI runs the engine tests' spinning inference threads beside this).
        var body = await worker.Client.GetStringAsync("/sse?chunks=11&delay_ms=500").DefaultTimeout();

        Assert.Contains("data: chunk 10", body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientDisconnects_BackendCallCancelled()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl);
        using var cancel = new CancellationTokenSource();

        var call = worker.Client.GetAsync("/hang", cancel.Token);
        await backend.HangStarted.Task.DefaultTimeout();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await backend.HangCancelled.Task.DefaultTimeout();
    }

    [Fact]
    public async Task PublicKeyUnavailable_401NamesTheReason()
    {
        await using var backend = await FakeBackend.StartAsync();
        var deadAutoscaler = new Uri($"http://127.0.0.1:{DeadPort.Port()}");
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, deadAutoscaler, waitForKey: false, waitForReady: true);
        var body = TestAutoscalerKey.Envelope(TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed), "{}");

        // The first fetch attempt fails at once (connection refused); the reason is then kept for callers.
        await TaskTimeoutExtensions.WaitUntilAsync(
            () => worker.Services.GetService(typeof(Security.PublicKeyStore)) is Security.PublicKeyStore { Status: var s } && s.Contains("attempt", StringComparison.Ordinal),
            "the first public key attempt to fail");
        using var response = await worker.Client.PostAsync("/v1/x", new StringContent(body)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.Contains("public key not loaded", text, StringComparison.Ordinal);
        Assert.DoesNotContain(backend.Requests, r => r.Path == "/v1/x");
    }

    [Fact]
    public async Task PublicKeyServerFailsFirst_KeyLoadsOnRetry()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var keys = await PublicKeyServer.StartAsync(TestAutoscalerKey.Shared.PublicKeyPem, failFirst: 1);
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, keys.BaseUrl);
        var body = TestAutoscalerKey.Envelope(TestAutoscalerKey.Shared.Sign(WorkerUrl.Signed), "{}");

        using var response = await worker.Client.PostAsync("/v1/x", new StringContent(body)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, keys.Hits);
    }

    [Fact]
    public async Task SeveralReportAddresses_KeyFromTheFirstThatAnswers()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var keys = await PublicKeyServer.StartAsync(TestAutoscalerKey.Shared.PublicKeyPem);
        var dead = $"http://127.0.0.1:{DeadPort.Port()}";
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, new Uri(dead), waitForKey: false, ("REPORT_ADDR", $"{dead},{keys.BaseUrl}"));

        await worker.WaitForPublicKeyAsync();

        Assert.Equal(1, keys.Hits);
    }
}
