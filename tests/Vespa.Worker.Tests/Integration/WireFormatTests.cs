using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Issue 11 item 3: the exact JSON the autoscaler gets, typed as the SDK's dataclasses (floats as 1000.0, ints as 0).</summary>
public sealed partial class WireFormatTests
{
    private static readonly string[] FloatFields = ["loadtime", "cur_load", "rej_load", "new_load", "max_perf", "cur_perf", "additional_disk_usage"];

    private static readonly string[] IntegerFields = ["id", "cur_capacity", "max_capacity", "num_requests_working", "num_requests_recieved"];

    [Fact]
    public async Task WorkerStatus_FloatFieldsAreJsonFloats_IntegersStayIntegers()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_754_500_000));
        await using var h = await ReportingHarness.StartAsync(time, settings: [("VESPA_METRICS_UPDATE_INTERVAL", "1"), ("VESPA_DELETE_REQUESTS_INTERVAL", "1")]);
        time.Advance(TimeSpan.FromSeconds(1));
        var ready = await h.Emulator.WaitForStatusReportAsync(r => r.LoadTime > 0).DefaultTimeout();

        var tokens = Tokens(ready.Json);
        Assert.All(FloatFields, f => Assert.Matches(@"^-?\d+(\.\d+(e[+-]\d+)?|e[+-]\d+)$", tokens[f]));
        Assert.All(FloatFields, f => Assert.Contains(tokens[f], c => c is '.' or 'e'));
        Assert.All(IntegerFields, f => Assert.Matches(@"^\d+$", tokens[f]));
        Assert.Equal("1000.0", tokens["max_perf"]);
        Assert.Equal("0.0", tokens["cur_load"]);
        Assert.Equal("0.0", tokens["rej_load"]);
        Assert.Equal("0.0", tokens["new_load"]);
        Assert.Equal("0.0", tokens["cur_perf"]);
        Assert.Equal("0", tokens["cur_capacity"]);
        Assert.Equal("42", tokens["id"]);
        Assert.Contains("\"working_request_idxs\":[]", ready.Json, StringComparison.Ordinal);

        var requestedAt = time.GetUtcNow().ToUnixTimeSeconds();
        using (var response = await h.PostAsync("/v1/echo", h.Route(cost: 10, requestIdx: 77)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        var delete = await h.Emulator.WaitForDeleteReportAsync(r => r.RequestIdxs.Contains(77)).DefaultTimeout();
        Assert.Contains(
            $"{{\"request_idx\":77,\"success\":true,\"status\":\"Success\",\"entered_queue_at\":{requestedAt}.0,\"work_started_at\":{requestedAt}.0,\"work_completed_at\":{requestedAt}.0}}",
            delete.Json,
            StringComparison.Ordinal);
        var served = await h.Emulator.WaitForStatusReportAsync(r => r.CurPerf > 0).DefaultTimeout();
        Assert.Equal("10.0", Tokens(served.Json)["cur_perf"]);
        Assert.Equal("10.0", Tokens(served.Json)["new_load"]);
    }

    private static Dictionary<string, string> Tokens(string json) =>
        NumberField().Matches(json).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    [GeneratedRegex("\"(\\w+)\":(-?[0-9][^,}\\]]*)")]
    private static partial Regex NumberField();
}
