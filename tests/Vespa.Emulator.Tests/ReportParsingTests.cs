
namespace Vespa.Emulator.Tests;

/// <summary>The report parsers on their own, as other projects' unit tests use them on captured bodies.</summary>
public sealed class ReportParsingTests
{
    [Fact]
    public void WorkerStatus_Parse_NullsReadAsDefaults()
    {
        var report = WorkerStatusReport.Parse("""{"id": null, "error_msg": null, "url": null, "loadtime": null, "working_request_idxs": null}""");

        Assert.Null(report.Id);
        Assert.Equal("", report.ErrorMsg);
        Assert.Equal("", report.Url);
        Assert.Equal(0, report.LoadTime);
        Assert.Empty(report.WorkingRequestIdxs);
        Assert.Equal(0, report.Sequence);
    }

    [Fact]
    public void WorkerStatus_Parse_DuplicateKeyLastWins()
    {
        var report = WorkerStatusReport.Parse("""{"cur_load": 1, "cur_load": 2}""");

        Assert.Equal(2, report.CurLoad);
        Assert.Equal(["cur_load"], report.Fields);
    }

    [Fact]
    public void WorkerStatus_Parse_IntegerFieldAsFloat_FormatException()
    {
        var error = Assert.Throws<FormatException>(() => WorkerStatusReport.Parse("""{"num_requests_recieved": 1.5}"""));

        Assert.Contains("num_requests_recieved", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkerStatus_SdkFields_SpellTheWireTypo()
    {
        Assert.Contains("num_requests_recieved", WorkerStatusReport.SdkFields);
        Assert.DoesNotContain("num_requests_received", WorkerStatusReport.SdkFields);
        Assert.Equal(17, WorkerStatusReport.SdkFields.Count);
    }

    [Fact]
    public void WorkerStatus_IsReady_NeedsUrlLoadtimeAndNoError()
    {
        Assert.True(WorkerStatusReport.Parse("""{"url": "http://a:1", "loadtime": 0.1, "error_msg": ""}""").IsReady);
        Assert.False(WorkerStatusReport.Parse("""{"url": "http://a:1", "loadtime": 0.0}""").IsReady);
        Assert.False(WorkerStatusReport.Parse("""{"url": "", "loadtime": 1.0}""").IsReady);
        Assert.False(WorkerStatusReport.Parse("""{"url": "http://a:1", "loadtime": 1.0, "error_msg": "x"}""").IsReady);
    }

    [Fact]
    public void DeleteRequests_ShapeB_MissingTimestampsReadAsZero()
    {
        var report = DeleteRequestsReport.Parse("""{"requests": [{"request_idx": 3, "success": true, "status": "Cancelled", "work_started_at": 5}]}""");

        Assert.Equal([new DeletedRequest(3, true, "Cancelled", 0, 5, 0)], report.Requests);
        Assert.Null(report.WorkerId);
        Assert.Null(report.MToken);
    }

    [Fact]
    public void DeleteRequests_ShapeA_EmptyList_Accepted()
    {
        var report = DeleteRequestsReport.Parse("""{"worker_id": 1, "mtoken": "", "request_idxs": [], "success": true}""");

        Assert.Empty(report.Requests);
        Assert.Equal(DeleteRequestsShape.RequestIdxs, report.Shape);
    }

    [Fact]
    public void DeleteRequests_TryParse_ReportsTheProblem()
    {
        Assert.False(DeleteRequestsReport.TryParse("""{"requests": [1]}""", out var report, out var error));

        Assert.Null(report);
        Assert.Contains("requests[0]", error, StringComparison.Ordinal);
    }
}
