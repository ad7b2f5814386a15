using System.Net;
using System.Text;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// Issue 9 item 13, the backend's faults: killed mid-stream, hanging (no headers, or a body that stalls), garbage
/// framing. The client always learns the exchange failed (a JSON 502/504, or a truncated stream, never a clean end),
/// the worker's idle timeout frees the slot, and afterwards the counters are exact and no connection is left open.
/// </summary>
public sealed class BackendFaultTests
{
    [Theory]
    [InlineData("kill")] // the backend process dies: connection reset
    [InlineData("cut")] // the backend closes cleanly without the last chunk
    public async Task KilledMidStream_ClientSeesTruncation_CountersExact_ConnectionsDrain(string how)
    {
        await using var backend = new ScriptedBackend();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 2);
        var first = h.Sign(cost: 2);
        var second = h.Sign(cost: 3);

        using var a = await StartStreamAsync(h, "/" + how, first);
        using var b = await StartStreamAsync(h, "/" + how, second);
        await backend.Reached(how + ":started", 2);
        backend.Release(how, 2);

        await AssertTruncatedAsync(a);
        await AssertTruncatedAsync(b);
        var after = h.Sign(cost: 5);
        using (var ok = await h.Worker.Client.SendAsync(FaultHarness.Post("/ok", after)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await new Settled
        {
            Statuses = new Dictionary<long, string> { [first.RequestIdxValue!.Value] = "Error", [second.RequestIdxValue!.Value] = "Error", [after.RequestIdxValue!.Value] = "Success" },
            Received = 10,
            Served = 5,
            Outcomes = new Dictionary<string, double> { ["failed"] = 2, ["success"] = 1, ["cancelled"] = 0 },
        }.AssertAsync(h);
        await TaskTimeoutExtensions.WaitUntilAsync(() => backend.OpenConnections == 0, "the backend's connections to close");
    }

    [Fact]
    public async Task HeadersNeverCome_504AtTheIdleTimeout_SlotFreed_CountersExact()
    {
        await using var backend = new ScriptedBackend();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 1, settings: ("VESPA_IDLE_TIMEOUT", "0.5"));
        var hung = h.Sign(cost: 4);

        using (var response = await h.Worker.Client.SendAsync(FaultHarness.Post("/hang", hung)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            Assert.Contains("idle timeout", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        }

        await backend.Reached("hang:closed");
        // The only slot is free again: the next request is served.
        var next = h.Sign(cost: 1);
        using (var ok = await h.Worker.Client.SendAsync(FaultHarness.Post("/ok", next)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await new Settled
        {
            Statuses = new Dictionary<long, string> { [hung.RequestIdxValue!.Value] = "Error", [next.RequestIdxValue!.Value] = "Success" },
            Received = 5,
            Served = 1,
            Outcomes = new Dictionary<string, double> { ["failed"] = 1, ["success"] = 1 },
        }.AssertAsync(h);
        await TaskTimeoutExtensions.WaitUntilAsync(() => backend.OpenConnections == 0, "the backend's connections to close");
    }

    [Fact]
    public async Task BodyStallsAfterHeaders_StreamCutAtTheIdleTimeout_SlotFreed_CountersExact()
    {
        await using var backend = new ScriptedBackend();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 1, settings: ("VESPA_IDLE_TIMEOUT", "0.5"));
        var stalled = h.Sign(cost: 2);

        using (var response = await StartStreamAsync(h, "/stall", stalled))
        {
            await AssertTruncatedAsync(response);
        }

        await backend.Reached("stall:closed");
        var next = h.Sign(cost: 1);
        using (var ok = await h.Worker.Client.SendAsync(FaultHarness.Post("/ok", next)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await new Settled
        {
            Statuses = new Dictionary<long, string> { [stalled.RequestIdxValue!.Value] = "Error", [next.RequestIdxValue!.Value] = "Success" },
            Received = 3,
            Served = 1,
            Outcomes = new Dictionary<string, double> { ["failed"] = 1, ["success"] = 1 },
        }.AssertAsync(h);
        await TaskTimeoutExtensions.WaitUntilAsync(() => backend.OpenConnections == 0, "the backend's connections to close");
    }

    [Fact]
    public async Task InvalidChunkedEncoding_StreamTruncated_CountersExact()
    {
        await using var backend = new ScriptedBackend();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 1);
        var bad = h.Sign(cost: 2);

        // The headers and a first chunk were valid and went out; then the framing breaks: the body cannot end cleanly.
        using (var response = await StartStreamAsync(h, "/bad-chunk", bad))
        {
            backend.Release("bad-chunk");
            await AssertTruncatedAsync(response);
        }

        await backend.Reached("bad-chunk:closed");
        await AssertServesNextAndSettlesAsync(h, backend, bad, badCost: 2);
    }

    [Fact]
    public async Task StatusLineNotHttp_502Json_CountersExact()
    {
        await using var backend = new ScriptedBackend();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 1);
        var bad = h.Sign(cost: 2);

        using (var response = await h.Worker.Client.SendAsync(FaultHarness.Post("/bad-status", bad)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
            Assert.DoesNotContain(backend.BaseUrl.Authority, text, StringComparison.Ordinal);
        }

        await backend.Reached("bad-status:closed");
        await AssertServesNextAndSettlesAsync(h, backend, bad, badCost: 2);
    }

    private static async Task AssertServesNextAndSettlesAsync(FaultHarness h, ScriptedBackend backend, Core.Envelopes.AuthData bad, double badCost)
    {
        var next = h.Sign(cost: 1);
        using (var ok = await h.Worker.Client.SendAsync(FaultHarness.Post("/ok", next)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await new Settled
        {
            Statuses = new Dictionary<long, string> { [bad.RequestIdxValue!.Value] = "Error", [next.RequestIdxValue!.Value] = "Success" },
            Received = badCost + 1,
            Served = 1,
            Outcomes = new Dictionary<string, double> { ["failed"] = 1, ["success"] = 1 },
        }.AssertAsync(h);
        await TaskTimeoutExtensions.WaitUntilAsync(() => backend.OpenConnections == 0, "the backend's connections to close");
    }

    /// <summary>Sends a signed POST and returns once the response headers and the first SSE event have arrived.</summary>
    internal static async Task<StreamingResponse> StartStreamAsync(FaultHarness h, string path, Core.Envelopes.AuthData auth)
    {
        var response = await h.Worker.Client.SendAsync(FaultHarness.Post(path, auth), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();
        var received = new StringBuilder();
        var buffer = new byte[256];
        while (!received.ToString().Contains("data: chunk 0\n\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer).AsTask().DefaultTimeout();
            Assert.True(read > 0, "the stream ended before its first event");
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return new StreamingResponse(response, stream);
    }

    /// <summary>The rest of the stream cannot be read to a clean end.</summary>
    internal static async Task AssertTruncatedAsync(StreamingResponse response)
    {
        var buffer = new byte[256];
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await response.Stream.ReadAsync(buffer).AsTask().DefaultTimeout() > 0)
            {
            }
        });
    }

    internal sealed class StreamingResponse(HttpResponseMessage response, Stream stream) : IDisposable
    {
        public HttpResponseMessage Response { get; } = response;

        public Stream Stream { get; } = stream;

        public void Dispose()
        {
            Stream.Dispose();
            Response.Dispose();
        }
    }
}
