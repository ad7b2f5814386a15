using System.Diagnostics;
using System.Net;
using Vespa.Testing;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests;

/// <summary>Injected faults: fail or delay the next N requests, then recover; faulted requests are not recorded.</summary>
public sealed class FaultTests
{
    private static readonly EmulatorOperation[] Operations = Enum.GetValues<EmulatorOperation>();

    [Fact]
    public async Task FailNext_WorkerStatus_FailsNThenRecovers()
    {
        await using var emulator = await StartAsync();
        emulator.Faults.FailNext(EmulatorOperation.WorkerStatus, 2, 500);

        var first = await PostAsync(emulator, "/worker_status/", StatusBody());
        var second = await PostAsync(emulator, "/worker_status/", StatusBody());
        var third = await PostAsync(emulator, "/worker_status/", StatusBody());

        Assert.Equal(HttpStatusCode.InternalServerError, first.Status);
        Assert.Contains("injected", first.Json().GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, second.Status);
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Single(emulator.StatusReports);
        Assert.Equal(2, emulator.Faults.GetFailedAttempts(EmulatorOperation.WorkerStatus));
        Assert.Equal(1, emulator.GetAcceptedCount(EmulatorOperation.WorkerStatus));
        Assert.Null(emulator.Faults.Get(EmulatorOperation.WorkerStatus));
    }

    [Theory]
    [InlineData(EmulatorOperation.DeleteRequests, "/delete_requests/")]
    [InlineData(EmulatorOperation.Route, "/route/")]
    public async Task FailNext_OtherPostOperations_FailOnceThenRecover(EmulatorOperation operation, string path)
    {
        await using var emulator = await StartAsync();
        emulator.Faults.FailNext(operation, 1, 503);
        var body = operation == EmulatorOperation.Route
            ? """{"endpoint": "local", "cost": 1}"""
            : """{"worker_id": 1, "mtoken": "m", "request_idxs": [1], "success": true}""";

        var failed = await PostAsync(emulator, path, body, "local-endpoint-key");
        var recovered = await PostAsync(emulator, path, body, "local-endpoint-key");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.Equal(HttpStatusCode.OK, recovered.Status);
        Assert.Equal(1, emulator.Faults.GetFailedAttempts(operation));
        Assert.Equal(1, emulator.GetAcceptedCount(operation));
    }

    [Fact]
    public async Task FailNext_PubKey_FailsThenServesTheKey()
    {
        await using var emulator = await StartAsync();
        emulator.Faults.FailNext(EmulatorOperation.PubKey, 1, 500);

        Assert.Equal(HttpStatusCode.InternalServerError, (await GetAsync(emulator, "/pubkey/")).Status);
        Assert.Equal(emulator.PublicKeyPem, (await GetAsync(emulator, "/pubkey/")).Body);
    }

    [Fact]
    public async Task DelayNext_ClientGivesUp_NotRecordedAndCountedAsFailed()
    {
        await using var emulator = await StartAsync();
        emulator.Faults.DelayNext(EmulatorOperation.WorkerStatus, 1, TimeSpan.FromSeconds(30));
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };

        // Like the worker's per-attempt timeout firing while the autoscaler hangs.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => SendAsync(HttpMethod.Post, Url(emulator, "/worker_status/"), StatusBody(), null, impatient));
        await TaskTimeoutExtensions.WaitUntilAsync(
            () => emulator.Faults.GetFailedAttempts(EmulatorOperation.WorkerStatus) == 1, "the abandoned request to be counted");
        var retry = await PostAsync(emulator, "/worker_status/", StatusBody());

        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(1, Assert.Single(emulator.StatusReports).Sequence);
    }

    [Fact]
    public async Task DelayNext_WithoutStatus_ClientThatWaitsIsServed()
    {
        await using var emulator = await StartAsync();
        emulator.Faults.DelayNext(EmulatorOperation.WorkerStatus, 1, TimeSpan.FromMilliseconds(200));

        var watch = Stopwatch.StartNew();
        var reply = await PostAsync(emulator, "/worker_status/", StatusBody());

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(150), $"answered after {watch.Elapsed}");
        Assert.Single(emulator.StatusReports);
        Assert.Equal(0, emulator.Faults.GetFailedAttempts(EmulatorOperation.WorkerStatus));
    }

    [Fact]
    public async Task DelayNext_WithStatus_DelaysThenFails()
    {
        await using var emulator = await StartAsync();
        emulator.Faults.DelayNext(EmulatorOperation.Route, 1, TimeSpan.FromMilliseconds(100), 502);

        var reply = await RouteAsync(emulator, """{"endpoint": "local", "cost": 1}""");

        Assert.Equal(HttpStatusCode.BadGateway, reply.Status);
        Assert.Equal(1, emulator.Faults.GetFailedAttempts(EmulatorOperation.Route));
    }

    [Fact]
    public async Task FaultUntilCleared_AppliesUntilClear()
    {
        await using var emulator = await StartAsync();
        emulator.Faults.FailNext(EmulatorOperation.PubKey, int.MaxValue, 500);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.InternalServerError, (await GetAsync(emulator, "/pubkey/")).Status);
        }

        emulator.Faults.Clear(EmulatorOperation.PubKey);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(emulator, "/pubkey/")).Status);
    }

    [Fact]
    public async Task FaultsOverHttp_SetClearAndShow()
    {
        await using var emulator = await StartAsync();

        var set = await PostAsync(emulator, "/_emulator/faults", """{"operation": "pubkey", "count": 1, "status": 503}""");
        var faulted = await GetAsync(emulator, "/pubkey/");
        var served = await GetAsync(emulator, "/pubkey/");
        await PostAsync(emulator, "/_emulator/faults", """{"operation": "route", "count": -1, "delay_seconds": 0.5}""");
        var shown = (await GetAsync(emulator, "/_emulator/faults")).Json().GetProperty("faults");
        var cleared = await PostAsync(emulator, "/_emulator/faults", """{"clear": true}""");

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(1, set.Json().GetProperty("faults").GetProperty("pubkey").GetProperty("remaining").GetInt32());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.Status);
        Assert.Equal(HttpStatusCode.OK, served.Status);
        Assert.Equal(-1, shown.GetProperty("route").GetProperty("remaining").GetInt32());
        Assert.Equal(0.5, shown.GetProperty("route").GetProperty("delay_seconds").GetDouble());
        Assert.Equal(1, shown.GetProperty("pubkey").GetProperty("failed_attempts").GetInt32());
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Null(emulator.Faults.Get(EmulatorOperation.Route));
    }

    [Theory]
    [InlineData("{bad")]
    [InlineData("""{"operation": "nope", "count": 1, "status": 500}""")]
    [InlineData("""{"operation": "route", "count": 1}""")]
    [InlineData("""{"operation": "route", "count": 1, "status": 200}""")]
    [InlineData("""{"operation": "route", "count": -2, "status": 500}""")]
    [InlineData("""{"count": 1, "status": 500}""")]
    public async Task FaultsOverHttp_BadBody_400(string body)
    {
        await using var emulator = await StartAsync();

        var reply = await PostAsync(emulator, "/_emulator/faults", body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.All(Operations, o => Assert.Null(emulator.Faults.Get(o)));
    }

    [Fact]
    public void Faults_InvalidRule_Throws()
    {
        var faults = new EmulatorFaults();

        Assert.Throws<ArgumentOutOfRangeException>(() => faults.FailNext(EmulatorOperation.Route, 1, 200));
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.FailNext(EmulatorOperation.Route, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.DelayNext(EmulatorOperation.Route, 1, TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.FailNext((EmulatorOperation)42, 1));
    }
}
