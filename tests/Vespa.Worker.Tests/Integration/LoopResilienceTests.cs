using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vespa.Testing;
using Vespa.Worker.Sessions;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// Issue 9 finding 2: no background loop can stop the worker. Each loop gets failing iterations injected through its
/// real dependency (its HTTP client throws an exception nobody expects) and must go on; before, such an exception
/// escaped <c>ExecuteAsync</c> and stopped the host.
/// </summary>
public sealed class LoopResilienceTests
{
    [Fact]
    public async Task StatusReporter_IterationThrows_ErrorReportedThenNextReportsFlow()
    {
        var faults = new HttpFaults();
        await using var h = await ReportingHarness.StartAsync(faults.On("AutoscalerClient"), time: null, waitForReady: true, waitForKey: true, prepare: null);
        faults.ThrowNext(3, r => r.RequestUri!.AbsolutePath == "/worker_status/"); // every attempt of one iteration

        // The next report says what failed, a later one that it works again.
        var failed = await h.Emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Contains("worker_status reporter failing: InvalidOperationException: injected fault", StringComparison.Ordinal)).DefaultTimeout();
        await h.Emulator.WaitForStatusReportAsync(r => r.Sequence > failed.Sequence && r.ErrorMsg.Length == 0).DefaultTimeout();
        Assert.Equal(3, faults.Thrown);

        using var response = await h.PostAsync("/v1/echo", h.Route(cost: 4, requestIdx: 1)).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.CurPerf) >= 4, "the served work reported");
        var metrics = await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("vespa_worker_background_loop_failures_total{loop=\"worker_status_reporter\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteReporter_IterationThrows_RecordStillReportedExactlyOnce()
    {
        var faults = new HttpFaults();
        await using var h = await ReportingHarness.StartAsync(faults.On("AutoscalerClient"), time: null, waitForReady: true, waitForKey: true, prepare: null);
        faults.ThrowNext(3, r => r.RequestUri!.AbsolutePath == "/delete_requests/");

        using (var response = await h.PostAsync("/v1/echo", h.Route(cost: 1, requestIdx: 51)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.DeleteReports.Any(r => r.RequestIdxs.Contains(51)), "the delete record");
        Assert.Equal(3, faults.Thrown);
        await Task.Delay(300); // a duplicate would come within a few ticks
        Assert.Single(h.Emulator.DeleteReports.SelectMany(r => r.RequestIdxs), idx => idx == 51);
    }

    [Fact]
    public async Task PublicKeyFetch_Throws_KeyStillLoads()
    {
        var faults = new HttpFaults();
        faults.ThrowNext(2);
        await using var h = await ReportingHarness.StartAsync(faults.On("PublicKeyFetcher"), time: null, waitForReady: true, waitForKey: true, prepare: null);

        Assert.Equal(2, faults.Thrown);
        using var response = await h.PostAsync("/v1/echo", h.Route(cost: 1, requestIdx: 61)).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HealthChecks_Throw_WorkerStillBecomesReady_MonitorReportsAndRecovers()
    {
        var faults = new HttpFaults();
        faults.ThrowNext(3);
        await using var h = await ReportingHarness.StartAsync(faults.On("ReadinessService"), time: null, waitForReady: true, waitForKey: true, prepare: null, ("VESPA_HEALTHCHECK_POLL_INTERVAL", "0.05"));
        Assert.Equal(3, faults.Thrown);

        // Enough failures in a row that the error outlives several reports (one every 0.1 s).
        faults.ThrowNext(30);
        var failed = await h.Emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Contains("Backend failed 3 consecutive healthchecks: InvalidOperationException: injected fault", StringComparison.Ordinal)).DefaultTimeout();
        await h.Emulator.WaitForStatusReportAsync(r => r.Sequence > failed.Sequence && r.ErrorMsg.Length == 0).DefaultTimeout();
        using var response = await h.PostAsync("/v1/echo", h.Route(cost: 1, requestIdx: 71)).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task SessionReaper_RoundThrows_NextRoundsStillCloseExpiredSessions()
    {
        var faults = new HttpFaults();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await ReportingHarness.StartAsync(faults.On("SessionStore"), time, waitForReady: true, waitForKey: true, prepare: null);
        faults.ThrowNext(1, r => r.RequestUri!.AbsolutePath == "/closed");

        await CreateSessionAsync(h, 81, """{"lifetime": 1, "on_close_route": "/closed"}""");
        await CreateSessionAsync(h, 82, """{"lifetime": 1}""");
        var store = h.Worker.Services.GetRequiredService<SessionStore>();
        Func<int> sessions = () => store.Count;
        Assert.Equal(2, sessions());

        time.Advance(TimeSpan.FromSeconds(5)); // a reaper round: the callback of one of them throws
        await TaskTimeoutExtensions.WaitUntilAsync(() => faults.Thrown == 1, "the callback to throw");
        time.Advance(TimeSpan.FromSeconds(5)); // the next round still runs
        await TaskTimeoutExtensions.WaitUntilAsync(() => sessions() == 0, "both sessions closed");

        await CreateSessionAsync(h, 83, """{"lifetime": 1}""");
        time.Advance(TimeSpan.FromSeconds(5));
        await TaskTimeoutExtensions.WaitUntilAsync(() => sessions() == 0, "a later session closed too");
    }

    private static async Task CreateSessionAsync(ReportingHarness h, long requestIdx, string payload)
    {
        using var response = await h.Worker.Client.PostAsync("/session/create", new StringContent(TestAutoscalerKey.Envelope(h.Route(cost: 1, requestIdx: requestIdx), payload), Encoding.UTF8, "application/json")).DefaultTimeout();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.True(body.RootElement.TryGetProperty("session_id", out _));
    }
}
