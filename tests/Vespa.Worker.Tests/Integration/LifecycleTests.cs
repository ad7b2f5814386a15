using System.Net;
using Vespa.Testing;
using Vespa.Worker.Lifecycle;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Readiness, benchmark, health monitoring and the error beacon, as the autoscaler sees them.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task ReadinessTimeout_ErrorReportedAndRequests503()
    {
        await using var h = await ReportingHarness.StartAsync(
            waitForReady: false,
            prepare: b => b.Healthy = false,
            settings: [("VESPA_READY_TIMEOUT_INITIAL", "0.3")]);

        var report = await h.Emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Length > 0).DefaultTimeout();

        Assert.StartsWith("Backend failed to become ready after 0.3 seconds (initial timeout)", report.ErrorMsg, StringComparison.Ordinal);
        Assert.Equal(0, report.LoadTime);
        Assert.Equal(WorkerPhase.Failed, h.Worker.State.Phase);
        using var response = await h.PostAsync("/v1/echo", h.Route(cost: 1, requestIdx: 1)).DefaultTimeout();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("start-up failed", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);

        // The error keeps being reported (the error beacon), not sent once and forgotten.
        var count = h.Emulator.StatusReports.Count(r => r.ErrorMsg.Length > 0);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.StatusReports.Count(r => r.ErrorMsg.Length > 0) >= count + 2, "more error reports");
    }

    [Fact]
    public async Task BenchmarkWithoutOneSuccess_ErrorReported()
    {
        await using var h = await ReportingHarness.StartAsync(
            waitForReady: false,
            prepare: b => b.ForcedStatus = 500,
            settings: [("VESPA_BENCHMARK", "openai-chat"), ("VESPA_BENCHMARK_MODEL", "m"), ("VESPA_BENCHMARK_RUNS", "1"), ("VESPA_BENCHMARK_CONCURRENCY", "2")]);

        var report = await h.Emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Length > 0).DefaultTimeout();

        Assert.StartsWith("Benchmark failed:", report.ErrorMsg, StringComparison.Ordinal);
        Assert.Contains("500", report.ErrorMsg, StringComparison.Ordinal);
        Assert.Equal(0, report.MaxPerf);
    }

    [Fact]
    public async Task BackendDiesAfterReady_ErrorAfterThreeFailedChecks_ClearedOnRecovery()
    {
        await using var h = await ReportingHarness.StartAsync(settings: [("VESPA_HEALTHCHECK_POLL_INTERVAL", "0.05")]);
        await h.Emulator.WaitForStatusReportAsync(r => r.LoadTime > 0).DefaultTimeout();

        h.Backend.Healthy = false;
        var failed = await h.Emulator.WaitForStatusReportAsync(r => r.ErrorMsg.Length > 0).DefaultTimeout();
        Assert.True(failed.ErrorMsg.StartsWith("Backend failed 3 consecutive healthchecks", StringComparison.Ordinal), failed.ErrorMsg);

        h.Backend.Healthy = true;
        await h.Emulator.WaitForStatusReportAsync(r => r.Sequence > failed.Sequence && r.ErrorMsg.Length == 0).DefaultTimeout();
    }

    [Fact]
    public async Task SerialMode_RequestsForwardedOneAtATimeInArrivalOrder()
    {
        await using var h = await ReportingHarness.StartAsync(settings: [("VESPA_ALLOW_PARALLEL", "false")]);
        var calls = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 5; i++)
        {
            calls.Add(h.PostAsync($"/slow?ms=60&n={i}", h.Route(cost: 1, requestIdx: 500 + i)));
            var expected = i + 1;
            await TaskTimeoutExtensions.WaitUntilAsync(() => h.Worker.Load.Snapshot().DistinctRequests >= expected, $"request {i} admitted");
        }

        foreach (var call in calls)
        {
            using var response = await call.DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var order = h.Backend.Requests.Where(r => r.Path == "/slow").Select(r => r.QueryString).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"?ms=60&n={i}"), order);
        Assert.Equal(1, h.Backend.MaxConcurrent);
    }

    [Fact]
    public async Task MaxConcurrency_LimitsBackendConcurrency()
    {
        await using var h = await ReportingHarness.StartAsync(settings: [("VESPA_MAX_CONCURRENCY", "2")]);

        var calls = Enumerable.Range(0, 6).Select(i => h.PostAsync($"/slow?ms=100&n={i}", h.Route(cost: 1, requestIdx: 600 + i))).ToList();
        foreach (var call in calls)
        {
            using var response = await call.DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, h.Backend.MaxConcurrent);
    }

    [Fact]
    public async Task Stop_InFlightRequestDrainsBeforeExit()
    {
        await using var backend = await FakeBackend.StartAsync();
        await using var worker = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_DRAIN_TIMEOUT", "10"));
        var slow = worker.Client.GetAsync("/slow?ms=700");
        await TaskTimeoutExtensions.WaitUntilAsync(() => backend.Requests.Any(r => r.Path == "/slow"), "the slow request to reach the backend");

        var stopping = worker.StopAsync();
        using var response = await slow.DefaultTimeout();
        await stopping.DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("slow done", await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task BenchmarkCache_ReusedForTheSameIdentity_IgnoredForAnother()
    {
        var cacheFile = Path.Combine(Path.GetTempPath(), "vespa-cache-" + Guid.NewGuid().ToString("N"));
        await using var backend = await FakeBackend.StartAsync();
        try
        {
            await using (var first = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_BENCHMARK_CACHE_FILE", cacheFile), ("VESPA_BENCHMARK", "constant:250")))
            {
                Assert.Equal(250, first.State.MaxThroughput);
            }

            // Same benchmark and identity: the cached figure is used, not a new measurement (edit it to tell them apart).
            var cached = await File.ReadAllTextAsync(cacheFile);
            Assert.Contains("\"max_perf\": 250", cached, StringComparison.Ordinal);
            await File.WriteAllTextAsync(cacheFile, cached.Replace("\"max_perf\": 250", "\"max_perf\": 777", StringComparison.Ordinal));
            await using (var second = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_BENCHMARK_CACHE_FILE", cacheFile), ("VESPA_BENCHMARK", "constant:250")))
            {
                Assert.Equal(777, second.State.MaxThroughput);
            }

            await using var changed = await TestWorker.StartAsync(backend.BaseUrl, null, ("VESPA_BENCHMARK_CACHE_FILE", cacheFile), ("VESPA_BENCHMARK", "constant:400"));
            Assert.Equal(400, changed.State.MaxThroughput);
        }
        finally
        {
            File.Delete(cacheFile);
        }
    }
}
