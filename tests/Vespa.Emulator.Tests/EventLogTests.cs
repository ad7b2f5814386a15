using System.Net;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests;

/// <summary>The event log and the running totals: routes given and refused (and why), malformed reports, delete
/// records, faults, and what each worker has done since the emulator started.</summary>
public sealed class EventLogTests
{
    private const string Worker = "http://127.0.0.1:3000";

    [Fact]
    public async Task RouteGiven_NamesEndpointRequestAndWorker()
    {
        await using var emulator = await StartAsync(o => o.Workers.Add(new Uri(Worker)));

        var reply = await RouteAsync(emulator, """{"endpoint": "local", "cost": 250}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var given = Assert.Single(emulator.Events, e => e.Kind == EmulatorEventKind.RouteGiven);
        Assert.Equal(Worker, given.Worker);
        Assert.Contains("route local request_idx 1 -> http://127.0.0.1:3000 (cost 250, reqnum 1)", given.Message, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(emulator.Workers).Totals.Routes);
    }

    [Fact]
    public async Task RouteWithNoWorker_LoggedAsRefused_NoWorkersReady()
    {
        await using var emulator = await StartAsync();

        var reply = await RouteAsync(emulator, """{"endpoint": "local", "cost": 100}""");

        Assert.Equal("no workers ready", reply.Json().GetProperty("status").GetString());
        var refused = Assert.Single(emulator.Events, e => e.Kind == EmulatorEventKind.RouteRefused);
        Assert.Contains("WAITING, no workers ready", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"endpoint": "local", "cost": 100}""", "wrong-key", "route refused (401): invalid API key for endpoint 'local'")]
    [InlineData("""{"endpoint": "local", "cost": 100}""", null, "route refused (401): missing endpoint API key")]
    [InlineData("""{"endpoint": "nope", "cost": 100}""", "local-endpoint-key", "route refused (404): endpoint 'nope' not found")]
    [InlineData("""{"endpoint": 5}""", "local-endpoint-key", "route refused (400): ")]
    public async Task RefusedRoute_LoggedWithTheReason(string body, string? key, string expected)
    {
        await using var emulator = await StartAsync(o => o.Workers.Add(new Uri(Worker)));

        var reply = await RouteAsync(emulator, body, key);

        Assert.NotEqual(HttpStatusCode.OK, reply.Status);
        var refused = Assert.Single(emulator.Events, e => e.Kind == EmulatorEventKind.RouteRefused);
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(emulator.Events, e => e.Kind == EmulatorEventKind.RouteGiven);
        Assert.Equal(0, Assert.Single(emulator.Workers).Totals.Routes);
    }

    [Theory]
    [InlineData("/worker_status/", "not json at all", "worker_status refused (400)")]
    [InlineData("/worker_status/", """{"cur_load": "lots"}""", "worker_status refused (400)")]
    [InlineData("/delete_requests/", """{"worker_id": 7}""", "delete_requests refused (400)")]
    public async Task MalformedReport_LoggedWithTheErrorAndTheBody(string path, string body, string expected)
    {
        await using var emulator = await StartAsync();

        var reply = await PostAsync(emulator, path, body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        var rejected = Assert.Single(emulator.Events, e => e.Kind == EmulatorEventKind.ReportRejected);
        Assert.StartsWith(expected, rejected.Message, StringComparison.Ordinal);
        Assert.Contains(reply.Json().GetProperty("error").GetString()!, rejected.Message, StringComparison.Ordinal);
        Assert.Contains(body[..Math.Min(body.Length, 20)], rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedReport_LongBody_ShownCutOnOneLine()
    {
        await using var emulator = await StartAsync();

        await PostAsync(emulator, "/worker_status/", "[\n" + new string('1', 500) + "\n]");

        var rejected = Assert.Single(emulator.Events, e => e.Kind == EmulatorEventKind.ReportRejected);
        Assert.DoesNotContain("\n", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("…'", rejected.Message, StringComparison.Ordinal);
        Assert.True(rejected.Message.Length < 300, rejected.Message);
    }

    [Fact]
    public async Task DeleteRecords_EachLogged_AndCountedForTheWorkerWithThatId()
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2, id: 7));

        await PostAsync(emulator, "/delete_requests/", """
            {"worker_id": 7, "mtoken": "m", "requests": [
              {"request_idx": 31, "success": true, "status": "ok"},
              {"request_idx": 32, "success": false, "status": "error"},
              {"request_idx": 33, "success": false, "status": "cancelled"}]}
            """);
        await PostAsync(emulator, "/delete_requests/", """{"worker_id": 99, "mtoken": "m", "request_idxs": [40], "success": true}""");

        var deletes = emulator.Events.Where(e => e.Kind == EmulatorEventKind.DeleteRecords).ToList();
        Assert.Equal(2, deletes.Count);
        Assert.Equal(Worker, deletes[0].Worker);
        Assert.Equal("delete_requests from http://127.0.0.1:3000: 31 ok, 32 error, 33 cancelled", deletes[0].Message);
        Assert.Null(deletes[1].Worker);
        Assert.Equal("delete_requests from worker_id 99: 40 ok", deletes[1].Message);
        var totals = Assert.Single(emulator.Workers).Totals;
        Assert.Equal(1, totals.DeletedOk);
        Assert.Equal(2, totals.DeletedFailed);
    }

    [Fact]
    public async Task Totals_SumTheIntervalFigures_OfEveryReport()
    {
        await using var emulator = await StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2));
        }

        var worker = Assert.Single(emulator.Workers);

        // StatusBody: new_load 300, rej_load 2, cur_perf 250 per report.
        Assert.Equal(new WorkerTotals(Reports: 3, Routes: 0, NewLoad: 900, RejLoad: 6, CurPerf: 750, DeletedOk: 0, DeletedFailed: 0), worker.Totals);
        Assert.Equal(EmulatedWorkerState.Ready, worker.State);
        Assert.True(worker.Eligible);
    }

    [Fact]
    public async Task WorkerLifecycle_JoinedReadyError_Logged()
    {
        await using var emulator = await StartAsync();

        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 0));
        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 4.25));
        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 4.25));
        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 4.25, errorMsg: "backend down"));

        var kinds = emulator.Events.Select(e => e.Kind).ToList();
        Assert.Equal([EmulatorEventKind.WorkerJoined, EmulatorEventKind.WorkerReady, EmulatorEventKind.WorkerError], kinds);
        Assert.Contains("ready (loadtime 4.25 s", emulator.Events[1].Message, StringComparison.Ordinal);
        Assert.EndsWith("backend down", emulator.Events[2].Message, StringComparison.Ordinal);
        Assert.Equal(EmulatedWorkerState.Error, Assert.Single(emulator.Workers).State);
    }

    [Fact]
    public async Task InjectedFault_Logged()
    {
        await using var emulator = await StartAsync();
        emulator.Faults.FailNext(EmulatorOperation.WorkerStatus, 1, 503);

        await PostAsync(emulator, "/worker_status/", StatusBody(Worker));

        var fault = Assert.Single(emulator.Events);
        Assert.Equal(EmulatorEventKind.Fault, fault.Kind);
        Assert.Equal("injected fault: worker_status answered 503", fault.Message);
    }

    [Fact]
    public async Task EventLog_IsBounded_SequenceKeepsCounting()
    {
        await using var emulator = await StartAsync(o => o.MaxRecordedEvents = 3);

        for (var i = 0; i < 5; i++)
        {
            await RouteAsync(emulator, """{"endpoint": "local", "cost": 1}""");
        }

        Assert.Equal([3L, 4L, 5L], emulator.Events.Select(e => e.Sequence));
        Assert.Equal(5, emulator.EventCount);
    }

    [Fact]
    public async Task ReportsListing_CarriesEachWorkersStateAndTotals()
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2));
        await RouteAsync(emulator, """{"endpoint": "local", "cost": 1}""");

        var worker = (await GetAsync(emulator, "/_emulator/reports")).Json().GetProperty("workers")[0];

        Assert.Equal("ready", worker.GetProperty("state").GetString());
        Assert.True(worker.GetProperty("eligible").GetBoolean());
        Assert.Equal(1, worker.GetProperty("totals").GetProperty("routes").GetInt64());
        Assert.Equal(250, worker.GetProperty("totals").GetProperty("cur_perf").GetDouble());
    }
}
