using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Vespa.Testing;
using static Vespa.Testing.EmulatorTestKit;

namespace Vespa.Emulator.Tests.Page;

/// <summary>The live page at <c>/</c> and the state it polls (<c>/_emulator/state</c>). The page in a real browser is
/// checked by scripts/emulator-page-check.sh (Vespa.Client.Tests' EmulatePageBrowserTests).</summary>
public sealed partial class LivePageTests
{
    private const string Worker = "http://127.0.0.1:3000";

    [Fact]
    public async Task Page_IsServedAtTheRoot_SelfContained_WithTheStateInlined()
    {
        await using var emulator = await StartAsync();
        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2));
        using var response = await Http.GetAsync(Url(emulator, "/")).DefaultTimeout();
        var html = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<title>Vespa autoscaler emulator</title>", html, StringComparison.Ordinal);
        Assert.Contains("fetch(\"/_emulator/state?since=\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/*STATE*/null", html, StringComparison.Ordinal);
        Assert.Contains("\"worker\":\"http://127.0.0.1:3000\"", html, StringComparison.Ordinal);

        // Works offline: nothing is loaded from anywhere (no src/href to another host, no external stylesheet or
        // script), and the policy forbids it anyway.
        Assert.Empty(ExternalReference().Matches(html));
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Page_WorkerText_CannotBreakOutOfTheInlinedState()
    {
        await using var emulator = await StartAsync();
        const string Hostile = "</script><script>alert(1)</script><img src=x onerror=alert(2)>";
        await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2, errorMsg: Hostile.Replace("\"", "\\\"", StringComparison.Ordinal)));

        var html = await Http.GetStringAsync(Url(emulator, "/")).DefaultTimeout();

        Assert.DoesNotContain(Hostile, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(html, "</script>")); // only the page's own script element ends
        Assert.Contains("\\u003C/script\\u003E", html, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", html, StringComparison.Ordinal); // worker text is set with textContent
    }

    [Fact]
    public async Task State_HasWorkersSeriesReportsDeletesAndEvents()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-06-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var emulator = await StartAsync(o => o.TimeProvider = time);
        for (var i = 0; i < 3; i++)
        {
            await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2, curLoad: 10 * (i + 1)));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await RouteAsync(emulator, """{"endpoint": "local", "cost": 5}""");
        await PostAsync(emulator, "/delete_requests/", """{"worker_id": 7, "request_idxs": [1], "success": true}""");

        var state = (await GetAsync(emulator, "/_emulator/state")).Json();

        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), state.GetProperty("now_ms").GetInt64());
        var worker = state.GetProperty("workers")[0];
        Assert.Equal(Worker, worker.GetProperty("worker").GetString());
        Assert.Equal("ready", worker.GetProperty("state").GetString());
        Assert.Equal(1.0, worker.GetProperty("age_seconds").GetDouble());
        Assert.Equal(30, worker.GetProperty("report").GetProperty("cur_load").GetDouble());
        var series = worker.GetProperty("series");
        Assert.Equal(3, series.GetArrayLength());
        Assert.Equal([10.0, 20.0, 30.0], series.EnumerateArray().Select(p => p[1].GetDouble())); // cur_load, oldest first
        Assert.Equal(250, series[0][2].GetDouble()); // cur_perf
        Assert.Equal(2, series[0][3].GetDouble()); // rej_load
        Assert.Equal(1, worker.GetProperty("totals").GetProperty("routes").GetInt64());
        Assert.Equal(1, worker.GetProperty("totals").GetProperty("deleted_ok").GetInt64());
        Assert.Equal(3, state.GetProperty("reports").GetArrayLength());
        Assert.Equal(30, state.GetProperty("reports")[0].GetProperty("report").GetProperty("cur_load").GetDouble()); // newest first
        Assert.Equal(1, state.GetProperty("deletes")[0].GetProperty("requests")[0].GetProperty("request_idx").GetInt64());
        var kinds = state.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["worker_joined", "worker_ready", "route_given", "delete_records"], kinds);
        Assert.Equal(4, state.GetProperty("event_count").GetInt64());
        Assert.DoesNotContain("master-token", state.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_Since_ReturnsOnlyLaterEvents()
    {
        await using var emulator = await StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await RouteAsync(emulator, """{"endpoint": "local", "cost": 1}""");
        }

        var state = (await GetAsync(emulator, "/_emulator/state?since=3")).Json();

        Assert.Equal([4L, 5L], state.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(0, (await GetAsync(emulator, "/_emulator/state?since=5")).Json().GetProperty("events").GetArrayLength());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")]
    public async Task State_BadSince_400NamingTheParameter(string since)
    {
        await using var emulator = await StartAsync();

        var reply = await GetAsync(emulator, "/_emulator/state?since=" + Uri.EscapeDataString(since));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("application/json", reply.MediaType);
        Assert.Contains("'since'", reply.Json().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_SeriesAndEvents_AreBounded()
    {
        await using var emulator = await StartAsync();
        for (var i = 0; i < AutoscalerEmulator.MaxSeriesPoints + 20; i++)
        {
            await PostAsync(emulator, "/worker_status/", StatusBody(Worker, loadtime: 2, curLoad: i));
        }

        for (var i = 0; i < AutoscalerEmulator.MaxStateEvents + 10; i++)
        {
            emulator.Route("local");
        }

        var state = (await GetAsync(emulator, "/_emulator/state")).Json();

        var series = state.GetProperty("workers")[0].GetProperty("series");
        Assert.Equal(AutoscalerEmulator.MaxSeriesPoints, series.GetArrayLength());
        Assert.Equal(AutoscalerEmulator.MaxSeriesPoints + 19, series[series.GetArrayLength() - 1][1].GetDouble()); // the newest kept
        Assert.Equal(AutoscalerEmulator.MaxStateEvents, state.GetProperty("events").GetArrayLength());
        Assert.Equal(10, state.GetProperty("reports").GetArrayLength());
    }

    [Fact]
    public void EventKindNames_AreSnakeCase()
    {
        Assert.Equal("route_given", AutoscalerEmulator.EventKindName(EmulatorEventKind.RouteGiven));
        Assert.Equal("worker_stale", AutoscalerEmulator.EventKindName(EmulatorEventKind.WorkerStale));
        Assert.Equal("fault", AutoscalerEmulator.EventKindName(EmulatorEventKind.Fault));
    }

    [GeneratedRegex("""(?:src|href)\s*=\s*["']?(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
