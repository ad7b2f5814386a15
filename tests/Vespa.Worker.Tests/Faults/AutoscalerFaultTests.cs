using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vespa.Emulator;
using Vespa.Testing;
using Vespa.Worker.Security;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// Issue 9 item 13, the autoscaler's faults: down (connection refused), slow (beyond the post timeout), answering
/// 500s, flapping; and <c>/pubkey/</c> flapping. Requests are served throughout, and once the autoscaler answers
/// again every finished request is reported exactly once and the summed figures are exact.
/// </summary>
public sealed class AutoscalerFaultTests
{
    [Fact]
    public async Task DownThenBack_ThreeTimes_ServedMeanwhile_EverythingReportedOnce()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl);
        var ledger = new Ledger();

        for (var cycle = 0; cycle < 3; cycle++)
        {
            var failuresBefore = await ReportFailuresAsync(h);
            await h.StopEmulatorAsync();
            // The worker notices: its posts now fail (connection refused) and are counted.
            await WaitForReportFailuresAsync(h, failuresBefore + 2);
            await ledger.MixedRoundAsync(h, backend);
            Assert.True(h.Worker.State.IsReady);
            await h.RestartEmulatorAsync();
            await ledger.MixedRoundAsync(h, backend);
        }

        await ledger.ToSettled().AssertAsync(h);
    }

    [Fact]
    public async Task SlowBeyondThePostTimeout_RequestsNotHeldUp_EverythingReportedOnceAfter()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl, settings: ("VESPA_METRICS_TIMEOUT", "0.5"));
        var ledger = new Ledger();
        var failuresBefore = await ReportFailuresAsync(h);

        // Held for 60 s each, until cleared: the worker gives up after 0.5 s, and the emulator records nothing it gave up on.
        var slow = new EmulatorFault(int.MaxValue, null, TimeSpan.FromSeconds(60));
        h.Emulator!.Faults.Set(EmulatorOperation.WorkerStatus, slow);
        h.Emulator.Faults.Set(EmulatorOperation.DeleteRequests, slow);
        await WaitForReportFailuresAsync(h, failuresBefore + 2);
        for (var round = 0; round < 3; round++)
        {
            await ledger.MixedRoundAsync(h, backend);
        }

        Assert.Contains(h.Logs.Entries, e => e.Event == "AutoscalerPostFailed" && e.Message.Contains("no answer within 0.5s", StringComparison.Ordinal));
        h.Emulator.Faults.ClearAll();
        await ledger.ToSettled().AssertAsync(h);
        Assert.True(h.Emulator.Faults.GetFailedAttempts(EmulatorOperation.WorkerStatus) >= 2);
    }

    [Fact]
    public async Task Answering500s_UntilCleared_EverythingReportedOnceAfter()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl);
        var ledger = new Ledger();
        var failing = new EmulatorFault(int.MaxValue, 500, TimeSpan.Zero);
        h.Emulator!.Faults.Set(EmulatorOperation.WorkerStatus, failing);
        h.Emulator.Faults.Set(EmulatorOperation.DeleteRequests, failing);

        for (var round = 0; round < 3; round++)
        {
            await ledger.MixedRoundAsync(h, backend);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.Faults.GetFailedAttempts(EmulatorOperation.DeleteRequests) >= 2, "delete_requests posts to fail");
        Assert.Empty(h.Emulator.DeleteReports);
        h.Emulator.Faults.ClearAll();
        await ledger.ToSettled().AssertAsync(h);
    }

    [Fact]
    public async Task Flapping_EveryOtherPostFails_EverythingReportedOnce()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var h = await FaultHarness.StartAsync(backend.BaseUrl);
        var emulator = h.Emulator!;
        // After every accepted post the next one fails: accepted, 503, accepted, 503...
        emulator.StatusReportReceived += (_, _) => emulator.Faults.FailNext(EmulatorOperation.WorkerStatus, 1, 503);
        emulator.DeleteReportReceived += (_, _) => emulator.Faults.FailNext(EmulatorOperation.DeleteRequests, 1, 503);
        emulator.Faults.FailNext(EmulatorOperation.DeleteRequests, 1, 503);
        var ledger = new Ledger();

        for (var round = 0; round < 5; round++)
        {
            // A failed status post between any two rounds: the traffic meets the flapping.
            var failed = emulator.Faults.GetFailedAttempts(EmulatorOperation.WorkerStatus);
            await TaskTimeoutExtensions.WaitUntilAsync(() => emulator.Faults.GetFailedAttempts(EmulatorOperation.WorkerStatus) > failed, "a failed status post");
            await ledger.MixedRoundAsync(h, backend);
        }

        await ledger.ToSettled().AssertAsync(h);
        Assert.True(emulator.Faults.GetFailedAttempts(EmulatorOperation.WorkerStatus) >= 5, "status posts flapped");
        Assert.True(emulator.Faults.GetFailedAttempts(EmulatorOperation.DeleteRequests) >= 2, "delete posts flapped");
    }

    [Fact]
    public async Task PubkeyFlapping_KeyKeptWhileDown_RefreshedWhenBack_CountersExact()
    {
        await using var backend = await FakeBackend.StartAsync();
        // The refresh gate (at most one refetch per 30 s) runs on a clock the test steps.
        var keyClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await FaultHarness.StartAsync(
            backend.BaseUrl,
            maxConcurrency: null,
            configure: builder => builder.Services.AddSingleton(new PublicKeyStore(keyClock)),
            prepareEmulator: emulator => emulator.Faults.FailNext(EmulatorOperation.PubKey, 1, 503), // down at start
            ("VESPA_PUBKEY_MAX_RETRIES", "1"));
        var emulator = h.Emulator!;
        Assert.Equal(1, emulator.Faults.GetFailedAttempts(EmulatorOperation.PubKey));
        var ledger = new Ledger();
        var forged = 0;

        for (var flap = 0; flap < 4; flap++)
        {
            var down = flap % 2 == 0;
            var accepted = emulator.GetAcceptedCount(EmulatorOperation.PubKey);
            var refreshFailures = h.Logs.Entries.Count(e => e.Event == "PublicKeyRefreshFailed");
            if (down)
            {
                emulator.Faults.Set(EmulatorOperation.PubKey, new EmulatorFault(int.MaxValue, 500, TimeSpan.Zero));
            }
            else
            {
                emulator.Faults.Clear(EmulatorOperation.PubKey);
            }

            keyClock.Advance(PublicKeyStore.RefreshInterval + TimeSpan.FromSeconds(1));
            // A signature that does not verify makes the worker fetch the key again (a rotation?).
            using (var bad = await h.Worker.Client.SendAsync(FaultHarness.Post("/v1/echo", TestAutoscalerKey.Other.Sign(FaultHarness.PublicUrl.ToString()))).DefaultTimeout())
            {
                Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
                forged++;
            }

            if (down)
            {
                await TaskTimeoutExtensions.WaitUntilAsync(() => h.Logs.Entries.Count(e => e.Event == "PublicKeyRefreshFailed") > refreshFailures, "the refresh to fail");
            }
            else
            {
                await TaskTimeoutExtensions.WaitUntilAsync(() => emulator.GetAcceptedCount(EmulatorOperation.PubKey) > accepted, "the key to be fetched again");
            }

            // Either way the key in use verifies genuine requests.
            await ledger.MixedRoundAsync(h, backend);
        }

        await ledger.ToSettled().AssertAsync(h);
        var metrics = PrometheusSample.Parse(await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout());
        Assert.Equal(forged, metrics.Where(s => s.Name == "vespa_worker_unauthenticated_requests_total").Sum(s => s.Value));
    }

    private static async Task<double> ReportFailuresAsync(FaultHarness h)
    {
        var metrics = PrometheusSample.Parse(await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout());
        return metrics.Where(s => s.Name == "vespa_worker_autoscaler_reports_total" && s.Labels["endpoint"] == "worker_status" && s.Labels["result"] == "failure").Sum(s => s.Value);
    }

    private static async Task WaitForReportFailuresAsync(FaultHarness h, double atLeast)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.Timeout;
        while (await ReportFailuresAsync(h) < atLeast)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for failed worker_status posts");
            await Task.Delay(20);
        }
    }
}
