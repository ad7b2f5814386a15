using System.Net;
using System.Text;
using Vespa.Testing;
using Vespa.Worker.Hosting;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// Issue 9 item 13, the clients' faults: a client that reads slowly (the worker applies backpressure instead of
/// buffering, and serves others meanwhile), one that stops reading (cut by the minimum response rate, slot freed),
/// and one that trickles its body (cut by the minimum request rate, slot freed; before authentication nothing is
/// counted and no buffer is kept). Afterwards the counters are exact and nothing leaks.
/// </summary>
public sealed class ClientFaultTests
{
    private const int BigMiB = 64;

    [Fact]
    public async Task SlowReader_BackpressureBoundsWhatIsBuffered_OthersServed_AnswerIntact()
    {
        await using var backend = await BigResponseBackend.StartAsync();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 2);
        var slow = h.Sign(cost: 4);
        using var reader = await RawClient.ConnectAsync(h.Worker.BaseUrl, receiveBuffer: 16 * 1024);
        await reader.SendEnvelopeAsync("/big?mib=" + BigMiB, slow);

        await TaskTimeoutExtensions.WaitUntilAsync(() => backend.Written > 0, "the big answer to start");
        // The stalled reader holds one slot; the other serves a second client at once.
        var other = h.Sign(cost: 1);
        using (var response = await h.Worker.Client.SendAsync(FaultHarness.Post("/v1/echo", other, "{\"x\":1}")).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Nothing is read: the backend gets only as far as the buffers on the way let it. There is no event for
        // "stopped", so the count must stay put for a while (well inside Kestrel's 5 s grace for slow readers).
        await WaitUntilStableAsync(() => backend.Written);
        Assert.False(backend.Finished.Task.IsCompleted);
        Assert.True(backend.Written < BigMiB / 2 * 1024L * 1024, $"{backend.Written} bytes of {BigMiB} MiB went out to a client that read nothing");

        // Now the reader reads: every byte arrives, in order.
        var (status, length, start) = await reader.ReadHeadAsync();
        Assert.Equal(200, status);
        Assert.Equal(BigMiB * 1024L * 1024, length);
        var rest = await reader.ReadToEndAsync();
        var total = start.Length + rest.Length;
        Assert.Equal(length, total);
        for (long i = 0; i < total; i += 4093)
        {
            var b = i < start.Length ? start[i] : rest[i - start.Length];
            Assert.Equal(BigResponseBackend.At(i), b);
        }

        await new Settled
        {
            Statuses = new Dictionary<long, string> { [slow.RequestIdxValue!.Value] = "Success", [other.RequestIdxValue!.Value] = "Success" },
            Received = 5,
            Served = 5,
            Outcomes = new Dictionary<string, double> { ["success"] = 2, ["cancelled"] = 0, ["failed"] = 0 },
        }.AssertAsync(h);
    }

    [Fact]
    public async Task ReaderStops_CutByTheIdleTimeout_SlotFreed_CountersExact()
    {
        await using var backend = await BigResponseBackend.StartAsync();
        // Kestrel's minimum response rate allows each pending write grace + size / 240 B/s (4.5 minutes for a 64 KiB
        // write), so what frees the slot of a client that stopped reading is VESPA_IDLE_TIMEOUT: no progress either way.
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 1, settings: ("VESPA_IDLE_TIMEOUT", "2"));
        var stuck = h.Sign(cost: 4);
        using var reader = await RawClient.ConnectAsync(h.Worker.BaseUrl, receiveBuffer: 16 * 1024);
        await reader.SendEnvelopeAsync("/big?mib=" + BigMiB, stuck);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Load.InFlightRequests == 1 && backend.Written > 0, "the big answer to start");

        // A second client waits for the only slot, which the stuck reader holds...
        var queued = h.Sign(cost: 1);
        var waiting = h.Worker.Client.SendAsync(FaultHarness.Post("/v1/echo", queued));
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Admission.QueuedRequests == 1, "the second request to queue");

        // ...until the idle timeout cuts the reader off.
        using (var response = await waiting.DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var (_, length, start) = await reader.ReadHeadAsync();
        var rest = await reader.ReadToEndAsync();
        Assert.True(start.Length + rest.Length < length, "the stuck reader got a truncated answer, not a clean end");

        await new Settled
        {
            Statuses = new Dictionary<long, string> { [stuck.RequestIdxValue!.Value] = "Cancelled|Error", [queued.RequestIdxValue!.Value] = "Success" },
            Received = 5,
            Served = 1,
            Cancelled = null,
            Outcomes = new Dictionary<string, double> { ["success"] = 1, ["cancelled|failed"] = 1 },
        }.AssertAsync(h);
    }

    [Fact]
    public async Task TrickledBody_AfterAuthentication_CutByTheMinimumRequestRate_SlotFreed_CountersExact()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 1);
        var trickled = h.Sign(cost: 3);
        using var writer = await RawClient.ConnectAsync(h.Worker.BaseUrl);
        // The header form: authenticated and admitted on its headers, the body streams to the backend as it comes.
        await writer.SendHeadAsync("POST", "/v1/echo", 100_000, "X-Vespa-Auth-Data: " + trickled.ToJson());
        await writer.SendAsync(Encoding.ASCII.GetBytes("{\"slow\":\""));
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Load.InFlightRequests == 1, "the trickled request to be admitted");
        using var stop = new CancellationTokenSource();
        var trickle = TrickleAsync(writer, stop.Token);

        var queued = h.Sign(cost: 1);
        var waiting = h.Worker.Client.SendAsync(FaultHarness.Post("/v1/echo", queued));
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Admission.QueuedRequests == 1, "the second request to queue");

        // Kestrel's minimum request rate (240 B/s after a 5 s grace) ends the upload and frees the slot.
        Assert.Equal(5, KestrelLimits.MinRequestBodyDataRate.GracePeriod.TotalSeconds);
        using (var response = await waiting.DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await stop.CancelAsync();
        await trickle.DefaultTimeout();
        var answer = Encoding.ASCII.GetString(await writer.ReadToEndAsync());
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), "the trickler got a 408 or a closed connection: " + answer);

        await new Settled
        {
            Statuses = new Dictionary<long, string> { [trickled.RequestIdxValue!.Value] = "Error|Cancelled", [queued.RequestIdxValue!.Value] = "Success" },
            Received = 4,
            Served = 1,
            Cancelled = null,
            Outcomes = new Dictionary<string, double> { ["success"] = 1, ["failed|cancelled"] = 1 },
        }.AssertAsync(h);
    }

    [Fact]
    public async Task TrickledEnvelope_BeforeAuthentication_408_NothingCounted_NoBufferKept()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, maxConcurrency: 1);
        using var writer = await RawClient.ConnectAsync(h.Worker.BaseUrl);
        // A signed envelope, declared whole but sent a byte at a time: it cannot be verified before it has all arrived.
        var body = Encoding.UTF8.GetBytes(TestAutoscalerKey.Envelope(h.Sign(cost: 3), "{\"pad\":\"" + new string('x', 2000) + "\"}"));
        await writer.SendHeadAsync("POST", "/v1/echo", body.Length);
        await writer.SendAsync(body[..100]);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Budget.InUse > 0, "the worker to hold the first bytes");
        using var stop = new CancellationTokenSource();
        var trickle = TrickleAsync(writer, stop.Token);

        // Meanwhile the one slot is free for signed requests.
        var other = h.Sign(cost: 1);
        using (var response = await h.Worker.Client.SendAsync(FaultHarness.Post("/v1/echo", other)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var answer = Encoding.ASCII.GetString(await writer.ReadToEndAsync());
        await stop.CancelAsync();
        await trickle.DefaultTimeout();
        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        Assert.Contains("could not read the request body", answer, StringComparison.Ordinal);

        await new Settled
        {
            Statuses = new Dictionary<long, string> { [other.RequestIdxValue!.Value] = "Success" },
            Received = 1,
            Served = 1,
            Outcomes = new Dictionary<string, double> { ["success"] = 1, ["malformed"] = 1, ["cancelled|failed"] = 0 },
        }.AssertAsync(h);
        Assert.DoesNotContain(backend.Requests, r => r.Body.Length > 0 && Encoding.UTF8.GetString(r.Body).Contains("pad", StringComparison.Ordinal));
    }

    /// <summary>One byte a second (below 240 B/s), until the worker closes the connection or the test stops it.</summary>
    private static async Task TrickleAsync(RawClient writer, CancellationToken cancellationToken)
    {
        var one = "x"u8.ToArray();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await writer.Stream.WriteAsync(one, cancellationToken);
                await Task.Delay(1000, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The worker cut the connection, or the test is done.
        }
    }

    /// <summary>Waits until <paramref name="value"/> has not changed for 0.5 s (sampled every 100 ms), within the test timeout.</summary>
    private static async Task WaitUntilStableAsync(Func<long> value)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Timeout;
        var last = value();
        var unchanged = 0;
        while (unchanged < 5 || last == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the value never settled");
            await Task.Delay(100);
            var now = value();
            unchanged = now == last ? unchanged + 1 : 0;
            last = now;
        }
    }
}
