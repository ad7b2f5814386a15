using System.Net;
using Vespa.Testing;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests;

/// <summary><c>/worker_status/</c> and <c>/delete_requests/</c>: recorded, parsed, bounded, waited for.</summary>
public sealed class ReportTests
{
    [Fact]
    public async Task WorkerStatus_EverySdkField_RecordedAndParsed()
    {
        await using var emulator = await StartAsync();

        var reply = await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3000", loadtime: 1.5, curLoad: 100));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Json().GetProperty("ok").GetBoolean());
        var report = Assert.Single(emulator.StatusReports);
        Assert.Equal(1, report.Sequence);
        Assert.Equal(7, report.Id);
        Assert.Equal("master-token", report.MToken);
        Assert.Equal("1.1.0", report.Version);
        Assert.Equal(1.5, report.LoadTime);
        Assert.Equal(100, report.CurLoad);
        Assert.Equal(2, report.RejLoad);
        Assert.Equal(300, report.NewLoad);
        Assert.Equal("", report.ErrorMsg);
        Assert.Equal(1234.5, report.MaxPerf);
        Assert.Equal(250, report.CurPerf);
        Assert.Equal(0, report.CurCapacity);
        Assert.Equal(0, report.MaxCapacity);
        Assert.Equal(2, report.NumRequestsWorking);
        Assert.Equal(9, report.NumRequestsReceived);
        Assert.Equal(0.25, report.AdditionalDiskUsage);
        Assert.Equal([11L, 12L], report.WorkingRequestIdxs);
        Assert.Equal("http://127.0.0.1:3000", report.Url);
        Assert.Empty(report.MissingFields);
        Assert.Contains("some_future_field", report.Fields);
        Assert.Contains(WorkerStatusReport.NumRequestsReceivedField, report.Fields);
        Assert.True(report.IsReady);
        Assert.True(report.ReceivedAt > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Same(report, Assert.Single(emulator.LatestStatusReports));
        Assert.Equal(1, emulator.GetAcceptedCount(EmulatorOperation.WorkerStatus));
    }

    [Fact]
    public async Task WorkerStatus_PartialBody_AcceptedWithMissingFieldsListed()
    {
        await using var emulator = await StartAsync();

        var reply = await PostAsync(emulator, "/worker_status/", """{"id": 3, "loadtime": 0.0, "mtoken": null}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var report = Assert.Single(emulator.StatusReports);
        Assert.Null(report.MToken);
        Assert.Equal("", report.Url);
        Assert.Contains(WorkerStatusReport.NumRequestsReceivedField, report.MissingFields);
        Assert.DoesNotContain("mtoken", report.MissingFields);
        Assert.False(report.IsReady);
    }

    [Theory]
    [InlineData("{\"id\": 1,")]
    [InlineData("")]
    [InlineData("\"just a string\"")]
    [InlineData("""{"loadtime": "1.5"}""")]
    [InlineData("""{"num_requests_working": 2.5}""")]
    [InlineData("""{"working_request_idxs": [1, "2"]}""")]
    [InlineData("""{"error_msg": 5}""")]
    public async Task WorkerStatus_InvalidBody_400AndNotRecorded(string body)
    {
        await using var emulator = await StartAsync();

        var reply = await PostAsync(emulator, "/worker_status/", body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.False(string.IsNullOrEmpty(reply.Json().GetProperty("error").GetString()));
        Assert.Empty(emulator.StatusReports);
        Assert.Equal(1, emulator.GetRejectedCount(EmulatorOperation.WorkerStatus));
    }

    [Fact]
    public async Task WorkerStatus_SeveralWorkers_LatestReportPerWorker()
    {
        await using var emulator = await StartAsync();

        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3001", curLoad: 1));
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3002", curLoad: 2));
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3001", curLoad: 3));

        Assert.Equal([1L, 2L, 3L], emulator.StatusReports.Select(r => r.Sequence));
        var latest = emulator.LatestStatusReports;
        Assert.Equal(["http://127.0.0.1:3001", "http://127.0.0.1:3002"], latest.Select(r => r.Url));
        Assert.Equal([3.0, 2.0], latest.Select(r => r.CurLoad));
    }

    [Fact]
    public async Task WorkerStatus_BeyondTheBound_KeepsTheLastN()
    {
        await using var emulator = await StartAsync(o => o.MaxRecordedReports = 3);

        for (var i = 1; i <= 5; i++)
        {
            await PostAsync(emulator, "/worker_status/", StatusBody(curLoad: i));
        }

        Assert.Equal([3L, 4L, 5L], emulator.StatusReports.Select(r => r.Sequence));
        Assert.Equal(5, emulator.GetAcceptedCount(EmulatorOperation.WorkerStatus));
    }

    [Fact]
    public async Task WaitForStatusReport_MatchesArrivingReport()
    {
        await using var emulator = await StartAsync();
        var waiting = emulator.WaitForStatusReportAsync(r => r.LoadTime > 0);

        await PostAsync(emulator, "/worker_status/", StatusBody(loadtime: 0));
        Assert.False(waiting.IsCompleted);
        await PostAsync(emulator, "/worker_status/", StatusBody(loadtime: 2));

        var report = await waiting.DefaultTimeout();
        Assert.Equal(2, report.Sequence);
        Assert.Same(report, await emulator.WaitForStatusReportAsync(r => r.LoadTime > 0).DefaultTimeout());
    }

    [Fact]
    public async Task WaitForStatusReport_Cancelled_Throws()
    {
        await using var emulator = await StartAsync();
        using var cancel = new CancellationTokenSource();

        var waiting = emulator.WaitForStatusReportAsync(_ => true, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.DefaultTimeout());
    }

    [Fact]
    public async Task StatusReportReceived_RaisedAfterRecording()
    {
        await using var emulator = await StartAsync();
        var raised = new TaskCompletionSource<WorkerStatusReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        emulator.StatusReportReceived += (_, report) => raised.TrySetResult(report);

        await PostAsync(emulator, "/worker_status/", StatusBody());

        Assert.Equal(1, (await raised.Task.DefaultTimeout()).Sequence);
    }

    [Fact]
    public async Task DeleteRequests_ShapeA_RecordedWithBodySuccess()
    {
        await using var emulator = await StartAsync();

        var ok = await PostAsync(emulator, "/delete_requests/", """{"success": true, "request_idxs": [4, 5], "mtoken": "m", "worker_id": 123}""");
        var failed = await PostAsync(emulator, "/delete_requests/", """{"worker_id": 123, "mtoken": "m", "request_idxs": [6], "success": false}""");

        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(HttpStatusCode.OK, failed.Status);
        var reports = emulator.DeleteReports;
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal(DeleteRequestsShape.RequestIdxs, r.Shape));
        Assert.Equal(123, reports[0].WorkerId);
        Assert.Equal("m", reports[0].MToken);
        Assert.True(reports[0].Success);
        Assert.Equal([4L, 5L], reports[0].RequestIdxs);
        Assert.Equal([new DeletedRequest(4, true), new DeletedRequest(5, true)], reports[0].Requests);
        Assert.Equal([new DeletedRequest(6, false)], reports[1].Requests);
        Assert.Equal([1L, 2L], reports.Select(r => r.Sequence));
    }

    [Fact]
    public async Task DeleteRequests_ShapeB_RecordedPerRequest()
    {
        await using var emulator = await StartAsync();

        var reply = await PostAsync(emulator, "/delete_requests/", """
            {"worker_id": 123, "mtoken": "m", "requests": [
              {"request_idx": 4, "success": true, "status": "Success", "entered_queue_at": 1754500000.12, "work_started_at": 1754500000.5, "work_completed_at": 1754500003.9},
              {"status": "Cancelled", "success": true, "request_idx": 5, "entered_queue_at": 1754500001.0, "work_started_at": 0.0, "work_completed_at": 0.0, "extra": 1},
              {"request_idx": 6, "success": false}]}
            """);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var report = Assert.Single(emulator.DeleteReports);
        Assert.Equal(DeleteRequestsShape.Requests, report.Shape);
        Assert.Null(report.Success);
        Assert.Equal(
            [
                new DeletedRequest(4, true, "Success", 1754500000.12, 1754500000.5, 1754500003.9),
                new DeletedRequest(5, true, "Cancelled", 1754500001.0, 0, 0),
                new DeletedRequest(6, false),
            ],
            report.Requests);
    }

    [Theory]
    [InlineData("{oops")]
    [InlineData("""{"worker_id": 1, "mtoken": "m"}""")]
    [InlineData("""{"worker_id": 1, "request_idxs": [1]}""")]
    [InlineData("""{"worker_id": 1, "request_idxs": [1], "success": true, "requests": []}""")]
    [InlineData("""{"worker_id": 1, "requests": [{"request_idx": 1}]}""")]
    [InlineData("""{"worker_id": 1, "requests": [{"request_idx": 1, "success": "yes"}]}""")]
    [InlineData("""{"worker_id": "1", "request_idxs": [1], "success": true}""")]
    public async Task DeleteRequests_InvalidBody_400AndNotRecorded(string body)
    {
        await using var emulator = await StartAsync();

        var reply = await PostAsync(emulator, "/delete_requests/", body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.False(string.IsNullOrEmpty(reply.Json().GetProperty("error").GetString()));
        Assert.Empty(emulator.DeleteReports);
    }

    [Fact]
    public async Task WaitForDeleteReport_MatchesByRequestIdx()
    {
        await using var emulator = await StartAsync();
        var waiting = emulator.WaitForDeleteReportAsync(r => r.RequestIdxs.Contains(9));

        await PostAsync(emulator, "/delete_requests/", """{"worker_id": 1, "mtoken": "m", "request_idxs": [8], "success": true}""");
        await PostAsync(emulator, "/delete_requests/", """{"worker_id": 1, "mtoken": "m", "request_idxs": [9], "success": false}""");

        Assert.False((await waiting.DefaultTimeout()).Success);
    }

    [Fact]
    public async Task Reports_Endpoint_ShowsLatestPerWorkerAndCountsWithoutTheMasterToken()
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3001", curLoad: 1));
        await PostAsync(emulator, "/worker_status/", StatusBody("http://127.0.0.1:3001", curLoad: 5));
        await PostAsync(emulator, "/worker_status/", "{bad");
        await PostAsync(emulator, "/delete_requests/", """{"worker_id": 7, "mtoken": "m", "request_idxs": [1], "success": true}""");

        var reply = await GetAsync(emulator, "/_emulator/reports");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.DoesNotContain("master-token", reply.Body, StringComparison.Ordinal);
        var json = reply.Json();
        var counts = json.GetProperty("counts").GetProperty("worker_status");
        Assert.Equal(2, counts.GetProperty("accepted").GetInt32());
        Assert.Equal(1, counts.GetProperty("rejected").GetInt32());
        var worker = Assert.Single(json.GetProperty("workers").EnumerateArray());
        Assert.Equal("http://127.0.0.1:3001", worker.GetProperty("worker").GetString());
        Assert.Equal(5, worker.GetProperty("report").GetProperty("cur_load").GetDouble());
        Assert.Equal(9, worker.GetProperty("report").GetProperty("num_requests_recieved").GetInt32());
        Assert.Equal(["http://127.0.0.1:3001"], json.GetProperty("eligible_workers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, json.GetProperty("last_delete_requests").GetProperty("requests")[0].GetProperty("request_idx").GetInt32());
    }
}
