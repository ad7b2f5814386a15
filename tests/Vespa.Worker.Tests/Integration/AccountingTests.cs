using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Vespa.Core.Envelopes;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Issue 9 finding 1: no signed cost can overflow, drift or refuse; every reported number stays finite and exact.</summary>
public sealed partial class AccountingTests
{
    [Fact]
    public async Task HugeCosts_ServedWithMaxCost_ReportsStayFinite_WorkerStaysUp()
    {
        await using var h = await ReportingHarness.StartAsync();

        // Two of these made the load counters infinite; the report writer threw and the host stopped.
        for (var i = 1; i <= 2; i++)
        {
            using var response = await h.PostAsync("/v1/echo", h.Route(cost: 1e308, requestIdx: 10 + i)).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var huge = await h.PostAsync("/v1/echo", h.Route(cost: 1.5e300, requestIdx: 13)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, huge.StatusCode);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.CurPerf) >= 3e9, "the served work reported");
        var after = h.Emulator.StatusReports.Count;
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.StatusReports.Count >= after + 3, "reports to go on");
        Assert.Equal(3e9, h.Sum(r => r.CurPerf)); // each at VESPA_MAX_COST (1e9)
        Assert.Equal(0, h.Emulator.StatusReports[^1].CurLoad);
        Assert.Equal(0, h.Emulator.GetRejectedCount(Vespa.Emulator.EmulatorOperation.WorkerStatus)); // every report parsed: all numbers finite

        using (var later = await h.PostAsync("/v1/echo", h.Route(cost: 5, requestIdx: 14)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        }

        var metrics = await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("vespa_worker_cost_adjusted_total{reason=\"above_max\"} 3", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NegativeAndNonNumericCosts_ServedWithTheDefaultWorkload()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_DEFAULT_COST", "7"));
        string[] costs = ["-5", "\"abc\"", "null"];

        for (var i = 0; i < costs.Length; i++)
        {
            var auth = WithCost(h.Route(cost: 100, requestIdx: 20 + i), costs[i]);
            using var response = await h.Worker.Client.PostAsync("/v1/echo", new StringContent(Envelope(auth), Encoding.UTF8, "application/json")).DefaultTimeout();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"cost {costs[i]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.CurPerf) >= 21, "the served work reported");
        await TaskTimeoutExtensions.WaitUntilAsync(
            () => h.Emulator.DeleteReports.SelectMany(r => r.Requests).Count(d => d.RequestIdx is >= 20 and <= 22 && d.Status == "Success") == 3,
            "three successes in delete_requests");
        Assert.Equal(21, h.Sum(r => r.NewLoad));
        Assert.Equal(21, h.Sum(r => r.CurPerf));
        var metrics = await h.Worker.Client.GetStringAsync("/metrics").DefaultTimeout();
        Assert.Contains("vespa_worker_cost_adjusted_total{reason=\"negative\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("vespa_worker_cost_adjusted_total{reason=\"not_a_number\"} 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmallCostsAfterAHugeOne_NotLost_LoadBackToExactlyZero()
    {
        // As running doubles, 1e16 + 1 == 1e16: every later small cost vanished from cur_perf and new_load.
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_MAX_COST", "1e15"));

        using (var huge = await h.PostAsync("/v1/echo", h.Route(cost: 1e16, requestIdx: 30)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, huge.StatusCode);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.CurPerf) >= 1e15, "the huge request reported");
        for (var i = 1; i <= 10; i++)
        {
            using var small = await h.PostAsync("/v1/echo", h.Route(cost: 1, requestIdx: 30 + i)).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        }

        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.CurPerf) >= 1e15 + 10, "the small requests reported");
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Emulator.LatestStatusReports.Any(r => r.NumRequestsWorking == 0), "an idle report");
        Assert.Equal(1e15 + 10, h.Sum(r => r.CurPerf));
        Assert.Equal(1e15 + 10, h.Sum(r => r.NewLoad));
        Assert.Equal(0, h.Emulator.LatestStatusReports.Single().CurLoad);
    }

    private static AuthData WithCost(AuthData auth, string costJson)
    {
        // The url scheme signs only the url: the autoscaler could have sent any cost with this signature.
        var json = CostField().Replace(auth.ToJson(), "\"cost\":" + costJson, 1);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.True(AuthData.TryFromJson(document.RootElement, out var changed, out _));
        return changed!;
    }

    private static string Envelope(AuthData auth) => TestAutoscalerKey.Envelope(auth, "{}");

    [GeneratedRegex("\"cost\":\\s*[^,}]+")]
    private static partial Regex CostField();
}
