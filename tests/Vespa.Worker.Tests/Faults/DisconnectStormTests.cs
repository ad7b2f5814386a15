using System.Net;
using System.Text;
using Vespa.Core.Envelopes;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// Issue 9 item 13, disconnect storms: many clients leave at once while queued, mid-request (after and before
/// authentication) and mid-stream, through the proxy and through the embedded engine. Afterwards the counters are
/// exact, every slot and buffer is back, no engine sequence is left, and the connections drain.
/// </summary>
public sealed class DisconnectStormTests
{
    private const int Slots = 12;

    [Fact]
    public async Task ProxyStorm_QueuedMidRequestAndMidStreamAborts_CountersExact_NothingLeaks()
    {
        using var connections = new KestrelConnections();
        await using var backend = await FakeBackend.StartAsync();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: Slots);
        var ledger = new Ledger();
        using var storm = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = h.Worker.BaseUrl, Timeout = TaskTimeoutExtensions.Timeout };

        // 1. Streams take every slot (each has sent its first event; the backend holds the rest).
        var streams = new List<(AuthData Auth, HttpResponseMessage Response, Stream Body)>();
        for (var i = 0; i < Slots; i++)
        {
            var auth = h.Sign(cost: 1);
            var response = await storm.SendAsync(FaultHarness.Post("/sse?gate=1", auth), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStreamAsync().DefaultTimeout();
            Assert.True(await body.ReadAsync(new byte[64]).AsTask().DefaultTimeout() > 0);
            streams.Add((auth, response, body));
        }

        // 2. More clients queue for a slot, then all leave while queued.
        var queued = new List<(AuthData Auth, CancellationTokenSource Cancel, Task Call)>();
        for (var i = 0; i < 6; i++)
        {
            var auth = h.Sign(cost: 1);
            var cancel = new CancellationTokenSource();
            queued.Add((auth, cancel, storm.SendAsync(FaultHarness.Post("/v1/echo", auth), cancel.Token)));
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Admission.QueuedRequests == 6, "six requests to queue");
        foreach (var (auth, cancel, call) in queued)
        {
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.DefaultTimeout());
            cancel.Dispose();
            ledger.Add(auth, 1, "Cancelled", "cancelled");
        }

        // 3. Every stream's client leaves mid-stream, all at once.
        foreach (var (auth, response, body) in streams)
        {
            body.Dispose();
            response.Dispose();
            ledger.Add(auth, 1, "Cancelled", "cancelled");
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Load.InFlightRequests == 0, "the streams to end");

        // 4. Authenticated on their headers, bodies on the way to the backend: the clients reset the connection.
        var uploads = new List<RawClient>();
        var uploadAuths = new List<AuthData>();
        for (var i = 0; i < 8; i++)
        {
            var auth = h.Sign(cost: 1);
            var client = await RawClient.ConnectAsync(h.Worker.BaseUrl);
            await client.SendHeadAsync("POST", "/v1/echo", 1000, "X-Vespa-Auth-Data: " + auth.ToJson());
            await client.SendAsync(Encoding.ASCII.GetBytes("{\"part\":\""));
            uploads.Add(client);
            uploadAuths.Add(auth);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Load.InFlightRequests == 8, "eight uploads admitted");
        foreach (var client in uploads)
        {
            client.Reset();
            client.Dispose();
        }

        // 5. Envelopes half sent, not yet verifiable: the clients reset the connection.
        var envelopes = new List<RawClient>();
        for (var i = 0; i < 8; i++)
        {
            var client = await RawClient.ConnectAsync(h.Worker.BaseUrl);
            var body = Encoding.UTF8.GetBytes(TestAutoscalerKey.Envelope(h.Sign(cost: 1), "{\"pad\":\"" + new string('x', 5000) + "\"}"));
            await client.SendHeadAsync("POST", "/v1/echo", body.Length);
            await client.SendAsync(body[..100]);
            envelopes.Add(client);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Budget.InUse >= 8 * 5000, "eight bodies held before verification");
        foreach (var client in envelopes)
        {
            client.Reset();
            client.Dispose();
        }

        // 6. The worker serves the next client as if nothing happened.
        var last = h.Sign(cost: 1);
        using (var response = await storm.SendAsync(FaultHarness.Post("/v1/echo", last)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        ledger.Add(last, 1, "Success", "success");
        var expected = ledger.ToSettled();
        var statuses = new Dictionary<long, string>(expected.Statuses);
        foreach (var auth in uploadAuths)
        {
            // A reset races the body copy: the worker sees the client gone (Cancelled) or its body broken (Error).
            statuses.Add(auth.RequestIdxValue!.Value, "Cancelled|Error");
        }

        await (expected with
        {
            Statuses = statuses,
            Received = expected.Received + uploadAuths.Count,
            Cancelled = null,
            Outcomes = new Dictionary<string, double> { ["success"] = 1, ["cancelled|failed"] = 6 + Slots + uploadAuths.Count, ["backend_error"] = 0 },
        }).AssertAsync(h);

        // Every connection of the storm is closed (the harness's own client may keep one).
        storm.Dispose();
        await TaskTimeoutExtensions.WaitUntilAsync(() => connections.Active(h.Worker.BaseUrl.Port) <= 1, "the storm's connections to close");
    }

    [Fact]
    public async Task EngineStorm_StreamsAndUploadsAbort_NoSequenceLeft_EngineStillServes()
    {
        var cache = Path.Combine(Path.GetTempPath(), "vespa-models-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var worker = await TestWorker.StartAsync(
                backend: null,
                reportAddress: null,
                ("VESPA_MODEL_CACHE", cache),
                ("VESPA_BENCHMARK", "constant:1000"),
                ("VESPA_CONTEXT_SIZE", "65536"),
                ("VESPA_THREADS", "1"));
            var before = PrometheusSample.Parse(await worker.Client.GetStringAsync("/metrics").DefaultTimeout());

            // Six streams at once (four in the engine's batch, two waiting), long enough never to finish by themselves:
            // each client leaves as soon as its first bytes arrive. The demo model makes thousands of tokens a second
            // and each sequence has a quarter of the context, so the context is large and the streams are long: a
            // waiting stream that could finish before its client's abort reaches the engine would be a success.
            const string Request = """{"model":"demo","messages":[{"role":"user","content":"tell me a long story"}],"stream":true,"max_tokens":15000,"ignore_eos":true}""";
            var streams = Enumerable.Range(0, 6).Select(async _ =>
            {
                using var response = await worker.Client.SendAsync(
                    new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(Request, Encoding.UTF8, "application/json") },
                    HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await using var body = await response.Content.ReadAsStreamAsync().DefaultTimeout();
                Assert.True(await body.ReadAsync(new byte[16]).AsTask().DefaultTimeout() > 0);
            }).ToList();

            // Uploads cut half-way.
            for (var i = 0; i < 4; i++)
            {
                using var client = await RawClient.ConnectAsync(worker.BaseUrl);
                await client.SendHeadAsync("POST", "/v1/chat/completions", 500);
                await client.SendAsync(Encoding.ASCII.GetBytes("{\"model\":\"demo\",\"mess"));
                client.Reset();
            }

            await Task.WhenAll(streams).DefaultTimeout();
            await WaitForNoSequenceAsync(worker);

            const string Short = """{"model":"demo","messages":[{"role":"user","content":"hi"}],"max_tokens":4}""";
            using (var answer = await worker.Client.PostAsync("/v1/chat/completions", new StringContent(Short, Encoding.UTF8, "application/json")).DefaultTimeout())
            {
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }

            var after = PrometheusSample.Parse(await worker.Client.GetStringAsync("/metrics").DefaultTimeout());
            Assert.Equal(6, Count(after, "cancelled") - Count(before, "cancelled"));
            Assert.Equal(1, Count(after, "success") - Count(before, "success"));
            Assert.Equal(0, after.Single(s => s.Name == "vespa_worker_requests_in_flight").Value);
            Assert.Equal(0, after.Single(s => s.Name == "vespa_worker_engine_active_sequences").Value);
            Assert.Equal(0, worker.Services.GetService(typeof(Envelopes.UnverifiedBodyBudget)) is Envelopes.UnverifiedBodyBudget budget ? budget.InUse : -1);
        }
        finally
        {
            if (Directory.Exists(cache))
            {
                Directory.Delete(cache, recursive: true);
            }
        }
    }

    private static double Count(IReadOnlyList<PrometheusSample> samples, string outcome) =>
        samples.Where(s => s.Name == "vespa_worker_requests_total" && s.Labels.TryGetValue("outcome", out var o) && o == outcome).Sum(s => s.Value);

    /// <summary>Polls the worker's own metrics until nothing is in flight and the engine's batch is empty.</summary>
    private static async Task WaitForNoSequenceAsync(TestWorker worker)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Timeout;
        while (true)
        {
            var samples = PrometheusSample.Parse(await worker.Client.GetStringAsync("/metrics").DefaultTimeout());
            if (worker.Load.InFlightRequests == 0 && samples.Single(s => s.Name == "vespa_worker_engine_active_sequences").Value == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the engine's sequences to be freed");
            await Task.Delay(20);
        }
    }
}
