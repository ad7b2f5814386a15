using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vespa.Emulator;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>What the worker tells the autoscaler, checked at the emulator.</summary>
public sealed class ReportingTests
{
    [Fact]
    public async Task WorkerStatus_SentAtStartThenEveryIntervalIdleOrNot()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await ReportingHarness.StartAsync(time, settings: ("VESPA_METRICS_UPDATE_INTERVAL", "1"));
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.StatusReports.Count >= 1, "the first report");
        var first = h.Emulator.StatusReports.Count;

        for (var second = 1; second <= 5; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.StatusReports.Count >= first + second, $"report {second}");
        }

        await Task.Delay(200);
        Assert.Equal(first + 5, h.Emulator.StatusReports.Count); // one per tick, no more
    }

    [Fact]
    public async Task WorkerStatus_LoadingThenReady_FieldsAsTheSdkSendsThem()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await ReportingHarness.StartAsync(time, waitForReady: false, prepare: b => b.Healthy = false, ("VESPA_METRICS_UPDATE_INTERVAL", "1"));
        var loading = await h.Emulator.WaitForStatusReportAsync(_ => true).DefaultTimeout();

        Assert.Equal(0, loading.LoadTime);
        Assert.Equal(0, loading.MaxPerf);
        Assert.Equal("", loading.ErrorMsg);

        h.Backend.Healthy = true;
        time.Advance(TimeSpan.FromSeconds(1)); // the next health check, and the next report
        await h.Worker.WaitForReadyAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        var ready = await h.Emulator.WaitForStatusReportAsync(r => r.LoadTime > 0).DefaultTimeout();

        Assert.Empty(ready.MissingFields);
        Assert.Equal(ReportingHarness.ContainerId, ready.Id);
        Assert.Equal(ReportingHarness.MasterToken, ready.MToken);
        Assert.Equal("1.1.0", ready.Version);
        Assert.Equal($"http://127.0.0.1:{ReportingHarness.PublicPort}", ready.Url);
        Assert.Equal(1000, ready.MaxPerf);
        Assert.Equal(0, ready.CurCapacity);
        Assert.Equal(0, ready.MaxCapacity);
        Assert.Contains("\"num_requests_recieved\":", ready.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counters_SuccessBackendErrorCancelAndReject_ReportedOnceEach()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_MAX_WAIT_TIME", "10"));

        using (var ok = await h.PostAsync("/v1/echo", h.Route(cost: 10, requestIdx: 101)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var backendError = await h.PostAsync("/status/500", h.Route(cost: 20, requestIdx: 102)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.InternalServerError, backendError.StatusCode);
        }

        // A huge request occupies the worker: 20000 units at 1000/s is 20 s of queue, over the 10 s limit.
        using var cancel = new CancellationTokenSource();
        var hanging = h.PostAsync("/hang", h.Route(cost: 20000, requestIdx: 103), cancellationToken: cancel.Token);
        await h.Backend.HangStarted.Task.DefaultTimeout();
        using (var rejected = await h.PostAsync("/v1/echo", h.Route(cost: 5, requestIdx: 104)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
            Assert.Contains("VESPA_MAX_WAIT_TIME", await rejected.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.StatusReports.Any(r => r.WorkingRequestIdxs.Contains(103)), "a report listing the working request");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging).DefaultTimeout();
        await h.Backend.HangCancelled.Task.DefaultTimeout();

        var deletes = await WaitForDeletedAsync(h, 101, 102, 103, 104);
        Assert.Equal(("Success", true), (deletes[101].Status, deletes[101].Success));
        Assert.Equal(("Error", false), (deletes[102].Status, deletes[102].Success));
        Assert.Equal(("Cancelled", true), (deletes[103].Status, deletes[103].Success));
        Assert.Equal(("Rejected", false), (deletes[104].Status, deletes[104].Success));
        Assert.True(deletes[101].WorkCompletedAt >= deletes[101].WorkStartedAt && deletes[101].WorkStartedAt >= deletes[101].EnteredQueueAt && deletes[101].EnteredQueueAt > 0);
        Assert.Equal(0, deletes[103].WorkCompletedAt);

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.LatestStatusReports.Any(r => r.CurLoad == 0 && r.NumRequestsWorking == 0), "an idle report");
        Assert.Equal(10, h.Sum(r => r.CurPerf)); // only the success is served work
        Assert.Equal(5, h.Sum(r => r.RejLoad));
        // new_load is per interval, max(received - cancelled, 0): the big request was reported while it
        // worked (we waited for that), and its cancel in a later interval cannot go below zero.
        Assert.Equal(10 + 20 + 20000, h.Sum(r => r.NewLoad));
        Assert.Equal(4, h.Emulator.StatusReports[^1].NumRequestsReceived);
    }

    [Fact]
    public async Task ForgedRequests_MoveNoReportedFigure()
    {
        await using var h = await ReportingHarness.StartAsync();
        var forged = TestAutoscalerKey.Other.Sign(ReportingHarness.PublicUrl.ToString(), costToken: "999", requestIdx: 666);

        for (var i = 0; i < 5; i++)
        {
            using var response = await h.PostAsync("/v1/echo", forged).DefaultTimeout();
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var malformed = await h.Worker.Client.PostAsync("/v1/echo", new StringContent("{\"auth_data\": 1}", Encoding.UTF8, "application/json")).DefaultTimeout();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);

        var after = h.Emulator.StatusReports.Count;
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.StatusReports.Count >= after + 3, "three more reports");
        Assert.All(h.Emulator.StatusReports, r =>
        {
            Assert.Equal(0, r.RejLoad);
            Assert.Equal(0, r.NewLoad);
            Assert.Equal(0, r.NumRequestsReceived);
            Assert.Empty(r.WorkingRequestIdxs);
        });
        Assert.Empty(h.Emulator.DeleteReports);
        var metrics = await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("vespa_worker_unauthenticated_requests_total{reason=\"invalid_signature\"} 5", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoscalerFailsThenRecovers_EveryFinishedRequestReportedExactlyOnce()
    {
        await using var h = await ReportingHarness.StartAsync();
        h.Emulator.Faults.FailNext(EmulatorOperation.DeleteRequests, 6, 500);
        h.Emulator.Faults.FailNext(EmulatorOperation.WorkerStatus, 6, 500);

        for (var i = 1; i <= 10; i++)
        {
            using var response = await h.PostAsync("/v1/echo", h.Route(cost: 3, requestIdx: 200 + i)).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var deletes = await WaitForDeletedAsync(h, Enumerable.Range(201, 10).Select(i => (long)i).ToArray());
        Assert.Equal(10, deletes.Count);
        Assert.True(h.Emulator.Faults.GetFailedAttempts(EmulatorOperation.DeleteRequests) >= 6);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.CurPerf) >= 30, "all served work reported");
        await Task.Delay(300);
        Assert.Equal(30, h.Sum(r => r.CurPerf)); // nothing lost, nothing counted twice
    }

    [Fact]
    public async Task AutoscalerTimesOutThenRecovers_EveryFinishedRequestReportedExactlyOnce()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_METRICS_TIMEOUT", "0.3"));
        h.Emulator.Faults.DelayNext(EmulatorOperation.DeleteRequests, 3, TimeSpan.FromSeconds(5));
        h.Emulator.Faults.DelayNext(EmulatorOperation.WorkerStatus, 3, TimeSpan.FromSeconds(5));

        for (var i = 1; i <= 5; i++)
        {
            using var response = await h.PostAsync("/v1/echo", h.Route(cost: 2, requestIdx: 300 + i)).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var deletes = await WaitForDeletedAsync(h, Enumerable.Range(301, 5).Select(i => (long)i).ToArray());
        Assert.Equal(5, deletes.Count);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.CurPerf) >= 10, "all served work reported");
        Assert.Equal(10, h.Sum(r => r.CurPerf));
    }

    [Fact]
    public async Task DeleteRequests_ShapeA_SeparateSuccessAndFailureLists()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_DELETE_REQUESTS_SHAPE", "a"));

        using (var ok = await h.PostAsync("/v1/echo", h.Route(cost: 1, requestIdx: 401)).DefaultTimeout())
        using (var failed = await h.PostAsync("/status/503", h.Route(cost: 1, requestIdx: 402)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.DeleteReports.SelectMany(r => r.RequestIdxs).Distinct().Count() >= 2, "both deletes");
        var reports = h.Emulator.DeleteReports;
        Assert.All(reports, r => Assert.Equal(DeleteRequestsShape.RequestIdxs, r.Shape));
        Assert.Contains(reports, r => r.Success == true && r.RequestIdxs.SequenceEqual([401L]));
        Assert.Contains(reports, r => r.Success == false && r.RequestIdxs.SequenceEqual([402L]));
    }

    private static async Task<Dictionary<long, DeletedRequest>> WaitForDeletedAsync(ReportingHarness h, params long[] idxs)
    {
        await TaskTimeoutExtensions.WaitUntilAsync(
            () => idxs.All(idx => h.Emulator.DeleteReports.SelectMany(r => r.Requests).Any(d => d.RequestIdx == idx)),
            "delete_requests for " + string.Join(',', idxs));
        await Task.Delay(300); // a duplicate would arrive within a few more ticks
        var all = h.Emulator.DeleteReports.SelectMany(r => r.Requests).Where(d => idxs.Contains(d.RequestIdx)).ToList();
        Assert.Equal(idxs.Length, all.Count); // exactly once each
        return all.ToDictionary(d => d.RequestIdx);
    }
}
