using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Vespa.Emulator;
using Vespa.Testing;
using Vespa.Worker.Hosting;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// Issue 9 finding 8: the embedded engine's inference loop dies (a fault injected through the scheduler's
/// <c>BeforeStep</c> seam while it serves a real request). Before, it logged Critical and nothing else: waiting and
/// later requests hung until the idle timeout while <c>/health</c> said ok.
/// </summary>
public sealed class EngineFailureTests : IAsyncLifetime
{
    private const string Reason = "the inference loop failed: InvalidOperationException: injected step fault";
    private static readonly Uri PublicUrl = new("http://127.0.0.1:41234");

    private readonly string _cache = Path.Combine(Path.GetTempPath(), "vespa-models-" + Guid.NewGuid().ToString("N"));
    private AutoscalerEmulator _emulator = null!;
    private TestWorker _worker = null!;

    public async Task InitializeAsync()
    {
        _emulator = await AutoscalerEmulator.StartAsync(new EmulatorOptions { Port = 0, PrivateKeyPem = TestAutoscalerKey.Shared.PrivateKeyPem }).DefaultTimeout();
        _worker = await TestWorker.StartAsync(
            backend: null,
            reportAddress: _emulator.BaseUrl,
            ("CONTAINER_ID", "42"),
            ("MASTER_TOKEN", "mtoken-test"),
            ("PUBLIC_IPADDR", "127.0.0.1"),
            ("VAST_TCP_PORT_0", "41234"),
            ("VESPA_METRICS_UPDATE_INTERVAL", "0.1"),
            ("VESPA_MODEL_CACHE", _cache),
            ("VESPA_CONTEXT_SIZE", "1024"),
            ("VESPA_PARALLEL", "1"),
            ("VESPA_THREADS", "1"));
        _emulator.RegisterWorker(PublicUrl);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _emulator.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }

    [Fact]
    public async Task InferenceLoopDies_WaitingAndLaterRequests503WithTheReason_Health503_ErrorMsgReported()
    {
        var server = _worker.Services.GetRequiredService<EmbeddedBackend>().Server!;
        var scheduler = server.Engine!.Scheduler;
        using var fault = new StepFault();
        scheduler.BeforeStep = fault.Run;

        // A streamed chat is inside a decode step, a second request waits for the only sequence.
        var streamed = PostAsync(1, "/v1/chat/completions", """{"messages": [{"role": "user", "content": "hello"}], "max_tokens": 8, "stream": true}""");
        await fault.Entered.DefaultTimeout();
        var waiting = PostAsync(2, "/v1/completions", """{"prompt": "once upon a time", "max_tokens": 8}""");
        await TaskTimeoutExtensions.WaitUntilAsync(() => scheduler.PendingRequests == 1, "the second request to queue in the engine");
        fault.Release();

        foreach (var response in await Task.WhenAll(streamed, waiting).DefaultTimeout())
        {
            await AssertUnavailableAsync(response);
        }

        // Later requests are refused at once; the engine's health and the autoscaler are told why.
        await AssertUnavailableAsync(await PostAsync(3, "/v1/completions", """{"prompt": "later", "max_tokens": 2}""").DefaultTimeout());
        using var http = new HttpClient();
        using (var health = await http.GetAsync(new Uri(server.BaseUrl, "/health")).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains(Reason, await health.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        }

        var report = await _emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Contains("embedded engine failed: " + Reason, StringComparison.Ordinal)).DefaultTimeout();
        Assert.False(report.IsReady);
        Assert.Contains(Reason, _worker.State.ErrorMessage, StringComparison.Ordinal);
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains(Reason, await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        }
    }

    private async Task<HttpResponseMessage> PostAsync(long requestIdx, string path, string payload)
    {
        var auth = _emulator.Route(EmulatedEndpoint.Default.Name, 1, requestIdx).AuthData!;
        using var content = new StringContent(TestAutoscalerKey.Envelope(auth, payload), Encoding.UTF8, "application/json");
        return await _worker.Client.PostAsync(path, content);
    }
}
