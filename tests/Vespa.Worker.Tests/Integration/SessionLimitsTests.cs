using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vespa.Core.Envelopes;
using Vespa.Testing;
using Vespa.Worker.Admission;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>
/// What a session may ask for and what it costs: the lifetime cap, the close callback's path
/// rules and payload bound, refused creates reported as load, and session requests in the FIFO.
/// </summary>
public sealed class SessionLimitsTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Body)> CreateAsync(ReportingHarness h, AuthData auth, string payload)
    {
        using var response = await h.Worker.Client.PostAsync("/session/create", Json(TestAutoscalerKey.Envelope(auth, payload))).DefaultTimeout();
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static string InSession(AuthData auth, string sessionId, string payload) =>
        "{\"auth_data\": " + auth.ToJson() + ", \"session_id\": \"" + sessionId + "\", \"payload\": " + payload + "}";

    [Fact]
    public async Task Create_LifetimeAboveVespaMaxSessionLifetime_Is422NamingTheSetting()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_MAX_SESSION_LIFETIME", "120"));

        var (tooLong, body) = await CreateAsync(h, h.Route(1, 900), """{"lifetime": 121}""");
        var (forever, _) = await CreateAsync(h, h.Route(1, 901), """{"lifetime": 1e300}""");
        var (atTheCap, created) = await CreateAsync(h, h.Route(1, 902), """{"lifetime": 120}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong);
        Assert.Equal("payload.lifetime must be at most 120 seconds (VESPA_MAX_SESSION_LIFETIME)", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, forever);
        Assert.Equal(HttpStatusCode.Created, atTheCap);
        Assert.True(created.TryGetProperty("session_id", out _));
    }

    [Fact]
    public async Task Create_DefaultCap_RefusesANeverEndingSession()
    {
        await using var h = await ReportingHarness.StartAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await CreateAsync(h, h.Route(1, 905), """{"lifetime": 3601}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(h, h.Route(1, 906), """{"lifetime": 3600}""")).Status);
    }

    [Theory]
    [InlineData("/admin/reset", HttpStatusCode.Forbidden)]
    [InlineData("/%61dmin/reset", HttpStatusCode.Forbidden)]
    [InlineData("/x/../admin/reset", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/x%2F..%2Fadmin", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/\\\\evil.example/x", HttpStatusCode.UnprocessableEntity)]
    [InlineData("//evil.example/x", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/closed?job=7", HttpStatusCode.Created)]
    public async Task Create_OnCloseRoute_FollowsTheBlockedPathsAndStaysOnTheBackend(string route, HttpStatusCode expected)
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_BLOCKED_PATHS", "/admin*"));

        var (status, body) = await CreateAsync(h, h.Route(1, 910), $$"""{"on_close_route": "{{route}}"}""");

        Assert.Equal(expected, status);
        if (expected != HttpStatusCode.Created)
        {
            Assert.Contains("on_close_route", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Create_OnClosePayloadAbove1MiB_Is413_AndUpTo1MiBIsKept()
    {
        await using var h = await ReportingHarness.StartAsync();
        static string PayloadOfSize(int bytes) => "\"" + new string('x', bytes - 2) + "\""; // a JSON string of exactly that many bytes

        var (tooLarge, body) = await CreateAsync(h, h.Route(1, 920), $$"""{"on_close_route": "/closed", "on_close_payload": {{PayloadOfSize((1024 * 1024) + 1)}}}""");
        var (fits, created) = await CreateAsync(h, h.Route(1, 921), $$"""{"on_close_route": "/closed", "on_close_payload": {{PayloadOfSize(1024 * 1024)}}}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge);
        Assert.Equal("payload.on_close_payload is 1048577 bytes; a session keeps at most 1048576 (1 MiB)", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Created, fits);
        Assert.True(created.TryGetProperty("session_id", out _));
    }

    [Fact]
    public async Task Create_RefusedAtTheSessionCap_CountsInRejLoadAndIsDeletedAsRejected()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_MAX_SESSIONS", "1"));
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(h, h.Route(cost: 3, requestIdx: 930), "{}")).Status);

        var (refused, _) = await CreateAsync(h, h.Route(cost: 7, requestIdx: 931), "{}");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        var deleted = await h.Emulator.WaitForDeleteReportAsync(r => r.Requests.Any(d => d.RequestIdx == 931)).DefaultTimeout();
        var entry = deleted.Requests.Single(d => d.RequestIdx == 931);
        Assert.False(entry.Success);
        Assert.Equal("Rejected", entry.Status);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.RejLoad) == 7, "rej_load of the refused session");
    }

    [Fact]
    public async Task Create_WhileNotReady_Is503_CountsInRejLoadAndIsDeletedAsRejected()
    {
        await using var h = await ReportingHarness.StartAsync(waitForReady: false, prepare: backend => backend.Healthy = false);

        using var response = await h.Worker.Client.PostAsync("/session/create", Json(TestAutoscalerKey.Envelope(h.Route(cost: 9, requestIdx: 940), "{}"))).DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var deleted = await h.Emulator.WaitForDeleteReportAsync(r => r.Requests.Any(d => d.RequestIdx == 940)).DefaultTimeout();
        Assert.Equal("Rejected", deleted.Requests.Single(d => d.RequestIdx == 940).Status);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.RejLoad) == 9, "rej_load of the refused session");
    }

    [Fact]
    public async Task SerialMode_RequestsInASession_WaitInTheSameFifo()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_ALLOW_PARALLEL", "false"));
        var admission = h.Worker.Services.GetRequiredService<AdmissionController>();
        var (_, created) = await CreateAsync(h, h.Route(cost: 1, requestIdx: 950), "{}");
        var id = created.GetProperty("session_id").GetString()!;

        // A holds the only slot (a stream held open by the backend); B, in the session, and C queue behind it.
        using var a = new HttpRequestMessage(HttpMethod.Post, "/sse?gate=1&chunks=3") { Content = Json(TestAutoscalerKey.Envelope(h.Route(1, 951), "{}")) };
        using var aResponse = await h.Worker.Client.SendAsync(a, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var b = h.Worker.Client.PostAsync("/v1/echo?n=b", Json(InSession(h.Route(1, 952), id, """{"b": 1}""")));
        await TaskTimeoutExtensions.WaitUntilAsync(() => admission.QueuedRequests == 1 || h.Backend.Requests.Any(r => r.QueryString == "?n=b"), "the session request to queue");
        var c = h.PostAsync("/v1/echo?n=c", h.Route(1, 953));
        await TaskTimeoutExtensions.WaitUntilAsync(() => admission.QueuedRequests == 2 || h.Backend.Requests.Any(r => r.QueryString == "?n=c"), "the plain request to queue");

        Assert.DoesNotContain(h.Backend.Requests, r => r.Path == "/v1/echo");
        h.Backend.ReleaseStream();
        Assert.Contains("[DONE]", await aResponse.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        using (var bResponse = await b.DefaultTimeout())
        using (var cResponse = await c.DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, bResponse.StatusCode);
            Assert.Equal(HttpStatusCode.OK, cResponse.StatusCode);
        }

        Assert.Equal(["?n=b", "?n=c"], h.Backend.Requests.Where(r => r.Path == "/v1/echo").Select(r => r.QueryString));
        Assert.Equal(1, h.Backend.MaxConcurrent);
    }

    [Fact]
    public async Task SerialMode_SessionEndsWhileItsRequestIsQueued_TheWaitEndsAndTheSlotIsNotLost()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_ALLOW_PARALLEL", "false"));
        var admission = h.Worker.Services.GetRequiredService<AdmissionController>();
        var auth = h.Route(cost: 1, requestIdx: 960);
        var id = (await CreateAsync(h, auth, "{}")).Body.GetProperty("session_id").GetString()!;
        using var a = new HttpRequestMessage(HttpMethod.Post, "/sse?gate=1&chunks=3") { Content = Json(TestAutoscalerKey.Envelope(h.Route(1, 961), "{}")) };
        using var aResponse = await h.Worker.Client.SendAsync(a, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var queued = h.Worker.Client.PostAsync("/v1/echo?n=queued", Json(InSession(h.Route(1, 962), id, "{}")));
        await TaskTimeoutExtensions.WaitUntilAsync(() => admission.QueuedRequests == 1, "the session request to queue");

        using (var end = await h.Worker.Client.PostAsync("/session/end", Json($$"""{"session_id": "{{id}}", "session_auth": {{auth.ToJson()}}}""")).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        }

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => queued).DefaultTimeout();
        Assert.Equal(0, admission.QueuedRequests);
        h.Backend.ReleaseStream();
        await aResponse.Content.ReadAsStringAsync().DefaultTimeout();

        // The slot came back: the next request goes straight through; the aborted one never reached the backend.
        using var next = await h.PostAsync("/v1/echo?n=next", h.Route(1, 963)).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.DoesNotContain(h.Backend.Requests, r => r.QueryString == "?n=queued");
    }
}
