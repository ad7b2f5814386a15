using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vespa.Core.Envelopes;
using Vespa.Testing;
using Vespa.Worker.Tests.Infrastructure;

namespace Vespa.Worker.Tests.Integration;

/// <summary>Sessions and /pyworker/update, as the official worker answers them (with its security holes closed).</summary>
public sealed class SessionTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(ReportingHarness h, string path, string body)
    {
        using var response = await h.Worker.Client.PostAsync(path, Json(body)).DefaultTimeout();
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static Task<(HttpStatusCode Status, JsonElement Body)> CreateAsync(ReportingHarness h, AuthData auth, string payload = """{"lifetime": 60}""") =>
        PostAsync(h, "/session/create", TestAutoscalerKey.Envelope(auth, payload));

    private static string InSession(AuthData auth, string sessionId, string payload) =>
        "{\"auth_data\": " + auth.ToJson() + ", \"session_id\": \"" + sessionId + "\", \"payload\": " + payload + "}";

    private static string SessionBody(string id, AuthData auth) => $$"""{"session_id": "{{id}}", "session_auth": {{auth.ToJson()}}}""";

    [Fact]
    public async Task Create_Get_Health_End_WithTheOfficialShapes()
    {
        await using var h = await ReportingHarness.StartAsync();
        var auth = h.Route(cost: 50, requestIdx: 700);

        var (created, createBody) = await CreateAsync(h, auth, """{"lifetime": 30, "on_close_route": "/closed", "on_close_payload": {"job": 7}}""");
        Assert.Equal(HttpStatusCode.Created, created);
        var id = createBody.GetProperty("session_id").GetString()!;
        Assert.Matches("^[A-Za-z0-9]{13}$", id);
        Assert.InRange(createBody.GetProperty("expiration").GetDouble() - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 25, 35);

        var (got, getBody) = await PostAsync(h, "/session/get", SessionBody(id, auth));
        Assert.Equal(HttpStatusCode.OK, got);
        Assert.Equal(30, getBody.GetProperty("lifetime").GetDouble());
        Assert.Equal("/closed", getBody.GetProperty("on_close_route").GetString());
        Assert.Equal(7, getBody.GetProperty("on_close_payload").GetProperty("job").GetInt32());
        Assert.Equal(auth.SignatureText, getBody.GetProperty("auth_data").GetProperty("signature").GetString());

        Assert.True((await PostAsync(h, "/session/health", SessionBody(id, auth))).Body.GetProperty("ok").GetBoolean());
        Assert.False((await PostAsync(h, "/session/health", SessionBody("nosuchsession", auth))).Body.GetProperty("ok").GetBoolean());

        var (ended, endBody) = await PostAsync(h, "/session/end", SessionBody(id, auth));
        Assert.Equal(HttpStatusCode.OK, ended);
        Assert.True(endBody.GetProperty("ended").GetBoolean());
        Assert.Equal(id, endBody.GetProperty("removed_session").GetString());

        // The close callback reached the backend with the payload and the session id merged in.
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Backend.Requests.Any(r => r.Path == "/closed"), "the close callback");
        using var callback = JsonDocument.Parse(h.Backend.Requests.Single(r => r.Path == "/closed").Body);
        Assert.Equal(7, callback.RootElement.GetProperty("job").GetInt32());
        Assert.Equal(id, callback.RootElement.GetProperty("session_id").GetString());

        var (again, againBody) = await PostAsync(h, "/session/end", SessionBody(id, auth));
        Assert.Equal(HttpStatusCode.BadRequest, again);
        Assert.Equal($"session with id {id} not found", againBody.GetProperty("error").GetString());
    }

    [Fact]
    public async Task SessionCredential_WrongAuth401_BadBodies422()
    {
        await using var h = await ReportingHarness.StartAsync();
        var auth = h.Route(cost: 1, requestIdx: 710);
        var id = (await CreateAsync(h, auth)).Body.GetProperty("session_id").GetString()!;
        var other = h.Route(cost: 1, requestIdx: 711);

        var (wrong, wrongBody) = await PostAsync(h, "/session/get", SessionBody(id, other));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal("session_auth is not valid", wrongBody.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(h, "/session/get", "not json")).Status);
        Assert.Equal("missing session_id", (await PostAsync(h, "/session/end", "{}")).Body.GetProperty("error").GetString());
        Assert.Equal("session does not exist", (await PostAsync(h, "/session/get", SessionBody("unknown", auth))).Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Create_NeedsAValidSignature_AndHonoursTheCap()
    {
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_MAX_SESSIONS", "1"));

        var forged = TestAutoscalerKey.Other.Sign("http://x", requestIdx: 720);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CreateAsync(h, forged)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await CreateAsync(h, h.Route(1, 721), """{"lifetime": -5}""")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await CreateAsync(h, h.Route(1, 722), """{"on_close_route": "http://evil/"}""")).Status);

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(h, h.Route(1, 723))).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await CreateAsync(h, h.Route(1, 724))).Status);
    }

    [Fact]
    public async Task RequestsInASession_ForwardedAndCounted_SessionLoadReportedUntilItEnds()
    {
        await using var h = await ReportingHarness.StartAsync();
        var auth = h.Route(cost: 40, requestIdx: 730);
        var id = (await CreateAsync(h, auth)).Body.GetProperty("session_id").GetString()!;
        await h.Emulator.WaitForStatusReportAsync(r => r.WorkingRequestIdxs.Contains(730) && r.CurLoad == 40).DefaultTimeout();

        var inSession = InSession(h.Route(cost: 5, requestIdx: 731), id, """{"x": 1}""");
        using (var response = await h.Worker.Client.PostAsync("/v1/echo", Json(inSession)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""{"x": 1}""", await response.Content.ReadAsStringAsync().DefaultTimeout());
        }

        var unknown = InSession(h.Route(cost: 5, requestIdx: 732), "nope", "{}");
        using (var gone = await h.Worker.Client.PostAsync("/v1/echo", Json(unknown)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
            Assert.Contains("invalid session", await gone.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        }

        await PostAsync(h, "/session/end", SessionBody(id, auth));
        var deleted = await h.Emulator.WaitForDeleteReportAsync(r => r.Requests.Any(d => d.RequestIdx == 730)).DefaultTimeout();
        Assert.True(deleted.Requests.Single(d => d.RequestIdx == 730).Success);
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Sum(r => r.CurPerf) >= 45, "session and in-session work served");
        await Task.Delay(300);
        Assert.DoesNotContain(h.Emulator.DeleteReports.SelectMany(r => r.Requests), d => d.RequestIdx == 731); // in-session requests are not deleted
        Assert.Equal(45, h.Sum(r => r.CurPerf));
    }

    [Fact]
    public async Task ExpiredSession_ClosedByTheReaper_RunningRequestAborted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await ReportingHarness.StartAsync(time, settings: ("VESPA_METRICS_UPDATE_INTERVAL", "1"));
        var auth = h.Route(cost: 1, requestIdx: 740);
        var id = (await CreateAsync(h, auth, """{"lifetime": 2, "on_close_route": "/expired"}""")).Body.GetProperty("session_id").GetString()!;
        var inSession = InSession(h.Route(cost: 1, requestIdx: 741), id, "{}");
        var hanging = h.Worker.Client.PostAsync("/hang", Json(inSession));
        await h.Backend.HangStarted.Task.DefaultTimeout();

        time.Advance(TimeSpan.FromSeconds(6)); // past the expiry, and a reaper tick

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => hanging).DefaultTimeout();
        await h.Backend.HangCancelled.Task.DefaultTimeout();
        await TaskTimeoutExtensions.WaitUntilAsync(() => h.Backend.Requests.Any(r => r.Path == "/expired"), "the close callback");
        Assert.False((await PostAsync(h, "/session/health", SessionBody(id, auth))).Body.GetProperty("ok").GetBoolean());
    }

    [Theory]
    [InlineData("Bearer mtoken-test", HttpStatusCode.OK)]
    [InlineData("mtoken-test", HttpStatusCode.OK)]
    [InlineData("Bearer wrong", HttpStatusCode.Unauthorized)]
    [InlineData("", HttpStatusCode.Unauthorized)]
    public async Task PyworkerUpdate_NeedsTheMasterToken(string authorization, HttpStatusCode expected)
    {
        var file = Path.Combine(Path.GetTempPath(), "vespa-force-update-" + Guid.NewGuid().ToString("N"));
        await using var h = await ReportingHarness.StartAsync(settings: ("VESPA_FORCE_UPDATE_FILE", file));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/pyworker/update");
        if (authorization.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await h.Worker.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK, File.Exists(file));
        File.Delete(file);
    }
}
